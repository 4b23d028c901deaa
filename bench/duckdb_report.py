"""The statistics scenario's baseline: DuckDB computes the department-level report's aggregates
(the same grouped facts truongso counts) over the rows the benchmark exported from the same
database as CSV. Prints one JSON object: load and query seconds and what it counted.

    python3 bench/duckdb_report.py DIR AS_OF SCHOOL_YEAR_ID
"""

import json
import sys
import time

import duckdb

ENROLLED = ("studying", "transferred_in", "repeating", "completed")


def main() -> None:
    directory, as_of, year = sys.argv[1], sys.argv[2], int(sys.argv[3])
    con = duckdb.connect()
    started = time.perf_counter()
    for name in ("enrolments", "enrolment_events", "learners", "classes", "staff"):
        con.execute(
            f"CREATE TABLE {name} AS SELECT * FROM read_csv('{directory}/{name}.csv', header = true, nullstr = '')"
        )
    loaded = time.perf_counter()
    learners = con.execute(
        f"""
        WITH status_on AS (
          SELECT enrolment_id, status FROM enrolment_events
          WHERE effective_on <= DATE '{as_of}'
          QUALIFY row_number() OVER (PARTITION BY enrolment_id ORDER BY effective_on DESC, id DESC) = 1
        )
        SELECT e.school_id, COALESCE(c.grade, -1) AS grade, l.gender, l.ethnicity_code,
               l.disability, l.policy_group, s.status, count(*) AS n
        FROM enrolments e
        JOIN status_on s ON s.enrolment_id = e.id
        JOIN learners l ON l.id = e.learner_id
        LEFT JOIN classes c ON c.id = e.class_id
        WHERE e.school_year_id = {year}
        GROUP BY ALL
        """
    ).fetchall()
    staff = con.execute(
        "SELECT org_unit_id, position, gender, ethnicity_code, qualification, count(*) AS n "
        "FROM staff GROUP BY ALL"
    ).fetchall()
    classes = con.execute(
        f"SELECT org_unit_id, grade, count(*) AS n FROM classes WHERE school_year_id = {year} GROUP BY ALL"
    ).fetchall()
    queried = time.perf_counter()
    print(
        json.dumps(
            {
                "duckdb_version": duckdb.__version__,
                "load_seconds": loaded - started,
                "query_seconds": queried - loaded,
                "learner_groups": len(learners),
                "enrolled": sum(r[7] for r in learners if r[6] in ENROLLED),
                "staff": sum(r[5] for r in staff),
                "classes": sum(r[2] for r in classes),
            }
        )
    )


if __name__ == "__main__":
    main()
