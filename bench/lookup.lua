-- wrk script of bench/admission-lookup.sh: random existing (number, birth date) pairs drawn
-- from PAIRS_FILE (one "number birth_date" a line), one request in MISS_EVERY a wrong date of birth.
local pairs_file = os.getenv("PAIRS_FILE")
local campaign = os.getenv("CAMPAIGN_ID") or "1"
local miss_every = tonumber(os.getenv("MISS_EVERY") or "10")
local pairs = {}
for line in io.lines(pairs_file) do
  local n, d = line:match("^(%S+) (%S+)$")
  if n then pairs[#pairs + 1] = { n, d } end
end
local counter = 0
math.randomseed(os.time())
request = function()
  counter = counter + 1
  local p = pairs[math.random(#pairs)]
  local dob = p[2]
  if counter % miss_every == 0 then dob = "1999-01-01" end
  return wrk.format("GET", "/api/v1/public/admission/results?campaign_id=" .. campaign .. "&number=" .. p[1] .. "&birth_date=" .. dob)
end
