//! Evaluation of the shared golden cases (`shared/domain/golden/`, see its README): pure functions
//! from a case's `input` to the value that must equal its `expected`. The domain tests and the
//! CLI's `truongso rules` command run the same code, so both judge the rules identically.

use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::codes::Gender;
use crate::national_id;

/// One case of a golden file: `{ "name", "kind"?, "input", "expected" }`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoldenCase {
    pub name: String,
    #[serde(default)]
    pub kind: Option<String>,
    pub input: Value,
    pub expected: Value,
}

/// Parses a golden file (a JSON array of cases).
pub fn parse_cases(json: &str) -> Result<Vec<GoldenCase>, String> {
    serde_json::from_str(json).map_err(|e| format!("golden file is not an array of cases: {e}"))
}

/// Evaluates a `national-id.json` case: `input` is `{id, birth_date? "YYYY-MM-DD", gender? "M"/"F"}`;
/// the result is the serialized [`national_id::IdCheck`] (`{status, province_code?, gender?,
/// birth_year?}`). An input of the wrong shape is an error, not a verdict.
pub fn evaluate_national_id(input: &Value) -> Result<Value, String> {
    let fields = input
        .as_object()
        .ok_or_else(|| format!("input must be an object, got {input}"))?;
    if let Some(unknown) = fields
        .keys()
        .find(|k| !matches!(k.as_str(), "id" | "birth_date" | "gender"))
    {
        return Err(format!("unknown input field '{unknown}'"));
    }
    let id = match fields.get("id") {
        Some(Value::String(id)) => id,
        other => return Err(format!("input.id must be a string, got {}", show(other))),
    };
    let birth_date = optional_str(fields, "birth_date")?
        .map(|d| {
            NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map_err(|e| format!("input.birth_date '{d}' is not a YYYY-MM-DD date: {e}"))
        })
        .transpose()?;
    let gender = optional_str(fields, "gender")?
        .map(|g| {
            Gender::from_code(g)
                .ok_or_else(|| format!("input.gender must be \"M\" or \"F\", got '{g}'"))
        })
        .transpose()?;
    serde_json::to_value(national_id::check(id, birth_date, gender)).map_err(|e| e.to_string())
}

/// Evaluates a `tt22.json` case of `kind` (see the golden README): averages as strings with one
/// decimal, levels by their Vietnamese labels, counts as numbers, promotion as a boolean.
pub fn evaluate_tt22(kind: &str, input: &Value) -> Result<Value, String> {
    use crate::grading::{self, CommentResult, Level};
    let fields = input
        .as_object()
        .ok_or_else(|| format!("input must be an object, got {input}"))?;
    let field = |name: &str| {
        fields
            .get(name)
            .ok_or_else(|| format!("input.{name} is missing"))
    };
    let score = |v: &Value| -> Result<grading::Score, String> {
        let text = match v {
            Value::Number(n) => n.to_string(),
            Value::String(s) => s.clone(),
            other => return Err(format!("a score must be a number, got {other}")),
        };
        grading::Score::parse(&text).ok_or_else(|| format!("'{text}' is not a score of 0–10"))
    };
    let scores = |v: &Value| -> Result<Vec<grading::Score>, String> {
        v.as_array()
            .ok_or_else(|| format!("expected an array of scores, got {v}"))?
            .iter()
            .map(score)
            .collect()
    };
    let level = |v: &Value| -> Result<Level, String> {
        let t = v
            .as_str()
            .ok_or_else(|| format!("a level must be a string, got {v}"))?;
        Level::ALL
            .iter()
            .copied()
            .find(|l| l.label_vi() == t)
            .ok_or_else(|| format!("'{t}' is not Tốt, Khá, Đạt or Chưa đạt"))
    };
    let comment = |v: &Value| -> Result<CommentResult, String> {
        let t = v
            .as_str()
            .ok_or_else(|| format!("a comment result must be a string, got {v}"))?;
        CommentResult::ALL
            .iter()
            .copied()
            .find(|c| c.label_vi() == t)
            .ok_or_else(|| format!("'{t}' is not Đạt or Chưa đạt"))
    };
    let count = |v: &Value| -> Result<u32, String> {
        v.as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| format!("expected a whole number, got {v}"))
    };
    Ok(match kind {
        "semester_average" => {
            let avg = grading::semester_average(
                &scores(field("regular")?)?,
                score(field("midterm")?)?,
                score(field("final")?)?,
            );
            Value::String(avg.to_string())
        }
        "year_average" => Value::String(
            grading::year_average(score(field("semester1")?)?, score(field("semester2")?)?)
                .to_string(),
        ),
        "learning_result" => {
            let comments = field("comment")?
                .as_array()
                .ok_or("input.comment must be an array")?
                .iter()
                .map(comment)
                .collect::<Result<Vec<_>, _>>()?;
            let result = grading::learning_result(&scores(field("scored")?)?, &comments);
            Value::String(result.label_vi().to_string())
        }
        "conduct_year" => Value::String(
            grading::conduct_year(level(field("semester1")?)?, level(field("semester2")?)?)
                .label_vi()
                .to_string(),
        ),
        "regular_count" => Value::from(grading::regular_count(count(field("periods_per_year")?)?)),
        "promotion" => Value::Bool(grading::promoted(
            level(field("conduct")?)?,
            level(field("learning")?)?,
            count(field("absences")?)?,
        )),
        // Circular 27/2020 (no shared golden file yet): labels in, the result's label out.
        "primary_year_result" => {
            use crate::grading::primary::{self, SubjectRating, TraitRating};
            fn labels<T: crate::codes::CodeList>(v: &Value, what: &str) -> Result<Vec<T>, String> {
                v.as_array()
                    .ok_or_else(|| format!("input.{what} must be an array"))?
                    .iter()
                    .map(|x| {
                        let t = x.as_str().unwrap_or_default();
                        T::all()
                            .iter()
                            .copied()
                            .find(|l| l.label_vi() == t)
                            .ok_or_else(|| format!("'{t}' is not a {what} rating"))
                    })
                    .collect()
            }
            let subjects: Vec<SubjectRating> = labels(field("subjects")?, "subjects")?;
            let traits: Vec<TraitRating> = labels(field("traits")?, "traits")?;
            let tests = field("tests")?
                .as_array()
                .ok_or("input.tests must be an array")?
                .iter()
                .map(|t| {
                    t.as_u64()
                        .and_then(|n| u8::try_from(n).ok())
                        .filter(|n| primary::is_test_score(*n))
                        .ok_or_else(|| format!("{t} is not a test score of 1–10"))
                })
                .collect::<Result<Vec<u8>, _>>()?;
            Value::String(
                primary::year_result(&subjects, &traits, &tests)
                    .label_vi()
                    .to_string(),
            )
        }
        other => return Err(format!("unknown tt22 kind '{other}'")),
    })
}

/// Evaluates a `dx-index.json` case: `input` is `{score, mandatory_met}` for one group of
/// Decision 4725; the result is the group's level (1, 2 or 3) under `rules`.
pub fn evaluate_dx_level(input: &Value, rules: &crate::dx::DxRules) -> Result<Value, String> {
    let fields = input
        .as_object()
        .ok_or_else(|| format!("input must be an object, got {input}"))?;
    if let Some(unknown) = fields
        .keys()
        .find(|k| !matches!(k.as_str(), "score" | "mandatory_met"))
    {
        return Err(format!("unknown input field '{unknown}'"));
    }
    let score = fields
        .get("score")
        .and_then(Value::as_f64)
        .filter(|s| (0.0..=100.0).contains(s))
        .ok_or_else(|| {
            format!(
                "input.score must be a number 0–100, got {}",
                show(fields.get("score"))
            )
        })?;
    let met = fields
        .get("mandatory_met")
        .and_then(Value::as_bool)
        .ok_or_else(|| {
            format!(
                "input.mandatory_met must be a boolean, got {}",
                show(fields.get("mandatory_met"))
            )
        })?;
    Ok(Value::from(crate::dx::group_level(score, met, rules)))
}

/// Evaluates an `admission.json` case: `input` is `{mechanism, choice_premiums, schools: {code:
/// seats}, applicants: [{id, score, choices}]}` (optionally `tie_breaks` and `still_tied` as in
/// [`crate::admission::Grade10Rules`], and `priority_group`/`subjects` per applicant); the result
/// is `{applicant id: school code or null}`. Scores are read exactly (see
/// [`crate::admission::Points`]).
pub fn evaluate_admission(input: &Value) -> Result<Value, String> {
    use crate::admission::{self, Applicant, Grade10Rules, Mechanism, Points, School};
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Input {
        mechanism: Mechanism,
        choice_premiums: Vec<Points>,
        schools: Map<String, Value>,
        applicants: Vec<Applicant>,
        #[serde(default)]
        tie_breaks: Option<Vec<admission::TieBreak>>,
        #[serde(default)]
        still_tied: Option<admission::StillTied>,
    }
    let input = Input::deserialize(input).map_err(|e| format!("input: {e}"))?;
    let schools = input
        .schools
        .iter()
        .map(|(code, seats)| {
            let seats = seats
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .ok_or_else(|| {
                    format!("input.schools.{code} must be a number of seats, got {seats}")
                })?;
            Ok(School {
                code: code.clone(),
                seats,
                zone: None,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let defaults = Grade10Rules::default();
    let rules = Grade10Rules {
        mechanism: input.mechanism,
        max_choices: input.choice_premiums.len(),
        choice_premiums: input.choice_premiums,
        tie_breaks: input.tie_breaks.unwrap_or(defaults.tie_breaks),
        still_tied: input.still_tied.unwrap_or(defaults.still_tied),
        zone_bound_choices: 0,
    };
    let result =
        admission::assign(&input.applicants, &schools, &rules).map_err(|e| e.to_string())?;
    Ok(Value::Object(
        result
            .schools_by_applicant(&input.applicants, &schools)
            .into_iter()
            .map(|(id, school)| (id.to_string(), school.map_or(Value::Null, Value::from)))
            .collect(),
    ))
}

/// A field that may be missing or null, and is otherwise a string.
fn optional_str<'a>(fields: &'a Map<String, Value>, name: &str) -> Result<Option<&'a str>, String> {
    match fields.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(format!("input.{name} must be a string, got {other}")),
    }
}

fn show(value: Option<&Value>) -> String {
    value.map_or_else(|| "nothing".to_string(), Value::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn evaluates_a_national_id_case() {
        let got = evaluate_national_id(
            &json!({"id": "051212345678", "birth_date": "2011-09-05", "gender": "M"}),
        );
        assert_eq!(
            got,
            Ok(
                json!({"status": "mismatch", "province_code": "051", "gender": "M", "birth_year": 2012})
            )
        );
        assert_eq!(
            evaluate_national_id(&json!({"id": "12"})),
            Ok(json!({"status": "malformed"}))
        );
        assert_eq!(
            evaluate_national_id(&json!({"id": "001203012345", "gender": null})),
            Ok(json!({"status": "ok", "province_code": "001", "gender": "M", "birth_year": 2003}))
        );
    }

    #[test]
    fn rejects_inputs_of_the_wrong_shape() {
        for bad in [
            json!("001203012345"),
            json!({}),
            json!({"id": 1203012345}),
            json!({"id": "001203012345", "gender": "X"}),
            json!({"id": "001203012345", "gender": "m"}),
            json!({"id": "001203012345", "birth_date": "05/09/2003"}),
            json!({"id": "001203012345", "birth_date": 2003}),
            json!({"id": "001203012345", "sex": "M"}),
        ] {
            assert!(evaluate_national_id(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn evaluates_a_primary_year_result() {
        let got = evaluate_tt22(
            "primary_year_result",
            &json!({"subjects": ["Hoàn thành tốt", "Hoàn thành"], "traits": ["Tốt", "Đạt"], "tests": [8, 9]}),
        );
        assert_eq!(got, Ok(json!("Hoàn thành")));
        assert!(
            evaluate_tt22(
                "primary_year_result",
                &json!({"subjects": [], "traits": [], "tests": [0]})
            )
            .is_err()
        );
    }

    #[test]
    fn parses_cases() {
        let cases = parse_cases(
            r#"[{"name": "a", "input": {"id": "1"}, "expected": {"status": "malformed"}}]"#,
        )
        .unwrap();
        assert_eq!(cases[0].name, "a");
        assert_eq!(cases[0].kind, None);
        assert!(parse_cases(r#"{"name": "a"}"#).is_err());
    }
}
