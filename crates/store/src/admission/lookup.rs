//! Published results as the public lookup serves them, and the read-only snapshot a
//! lookup-only server loads.
