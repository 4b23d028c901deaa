//! The digital-maturity index over HTTP, on SQLite and PostgreSQL: a principal's answers (a bad
//! one rejected whole, naming the field), evidence checked by content, submission; the office
//! returns (a comment is required) and approves; the distribution counts the school.

use crate::support::TestApp;
use axum::http::StatusCode;
use serde_json::json;
use truongso_domain::dx::CriteriaSet;

#[tokio::test]
async fn assess_submit_return_and_approve_over_the_api() {
    TestApp::on_both(|t| async move {
        let principal = t.account("principal", 0).clone();
        let school = principal.scope_org_id;
        let boss = t.token(&principal.username).await;
        let url = format!("/api/v1/dx/schools/{school}");

        let res = t.api("GET", &url, Some(&boss), None).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        let body = res.json();
        assert_eq!(body["measured"]["2.3h"]["kind"], "yes");
        assert_eq!(body["measured"]["2.4c"]["kind"], "unavailable");
        assert_eq!(body["live"]["groups"].as_array().unwrap().len(), 2);

        // One bad answer rejects the save, naming it; nothing changes.
        let bad = json!({ "answers": [
            { "indicator_code": "1.1", "value": 1 },
            { "indicator_code": "1.3", "value": 7 }
        ]});
        let res = t
            .api(
                "POST",
                &format!("{url}/answers"),
                Some(&boss),
                Some(&bad.to_string()),
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
        assert_eq!(res.json()["errors"][0]["field"], "answers[1].value");
        assert!(
            res.json()["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("Số chức năng")
        );

        // Every indicator answered (the demo left a draft): teaching 30 + 8 + 15 = 53, management
        // 10 + 10 + 10 + 12 + 8 = 50, all mandatory conditions met.
        let chosen = [
            ("1.1", 1.0),
            ("1.2", 1.0),
            ("1.3", 5.0),
            ("1.4", 80.0),
            ("1.5a", 1.0),
            ("2.1", 1.0),
            ("2.2", 1.0),
            ("2.3c", 100.0),
            ("2.3e", 1.0),
            ("2.3f", 1.0),
            ("2.4a", 1.0),
            ("2.4b", 1.0),
        ];
        let answers: Vec<_> = CriteriaSet::current()
            .indicators()
            .map(|i| {
                let v = chosen
                    .iter()
                    .find(|(c, _)| *c == i.code)
                    .map_or(0.0, |(_, v)| *v);
                json!({ "indicator_code": i.code, "value": v })
            })
            .collect();
        let good = json!({ "answers": answers });
        let res = t
            .api(
                "POST",
                &format!("{url}/answers"),
                Some(&boss),
                Some(&good.to_string()),
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        assert_eq!(res.json()["live"]["groups"][0]["score"], 53.0);
        assert_eq!(res.json()["live"]["groups"][0]["level"], 2);
        assert_eq!(res.json()["live"]["groups"][1]["score"], 50.0);
        assert_eq!(res.json()["live"]["level"], 2);

        // Evidence: a renamed program is refused by its content; a PDF is kept.
        let ev = format!("{url}/evidence?indicator_code=2.2&file_name=ke-hoach.pdf");
        let res = t
            .api("POST", &ev, Some(&boss), Some("MZ this is no pdf"))
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
        assert_eq!(res.json()["errors"][0]["field"], "file");
        let res = t
            .api("POST", &ev, Some(&boss), Some("%PDF-1.4\n%%EOF\n"))
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        assert_eq!(res.json()["content_type"], "application/pdf");

        let res = t
            .api("POST", &format!("{url}/submit"), Some(&boss), None)
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        let a = &res.json()["assessment"]["assessment"];
        assert_eq!(a["status"], "submitted");
        assert_eq!(a["teaching_score"], 53.0);
        // The school cannot review itself (no dx.review), nor change a submitted assessment.
        let res = t
            .api(
                "POST",
                &format!("{url}/review"),
                Some(&boss),
                Some(r#"{"decision":"approve"}"#),
            )
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
        let res = t
            .api(
                "POST",
                &format!("{url}/answers"),
                Some(&boss),
                Some(&good.to_string()),
            )
            .await;
        assert_eq!(res.status, StatusCode::CONFLICT);

        // The office over the school: returning needs a comment.
        let mut office = None;
        for n in 0.. {
            let Some(a) = t
                .accounts
                .iter()
                .filter(|a| a.role == "office_officer")
                .nth(n)
            else {
                break;
            };
            let token = t.token(&a.username).await;
            if t.api("GET", &url, Some(&token), None).await.status == StatusCode::OK {
                office = Some((a.scope_org_id, token));
                break;
            }
        }
        let (office_id, officer) = office.expect("an office over the first demo school");
        let res = t
            .api(
                "POST",
                &format!("{url}/review"),
                Some(&officer),
                Some(r#"{"decision":"return"}"#),
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
        assert_eq!(res.json()["errors"][0]["field"], "comment");
        let back = json!({ "decision": "return", "comment": "Bổ sung minh chứng",
            "notes": [{ "indicator_code": "1.4", "comment": "Danh mục học liệu?" }] });
        let res = t
            .api(
                "POST",
                &format!("{url}/review"),
                Some(&officer),
                Some(&back.to_string()),
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        assert_eq!(res.json()["assessment"]["assessment"]["status"], "returned");
        assert_eq!(
            res.json()["assessment"]["review_notes"][0]["indicator_code"],
            "1.4"
        );
        let res = t
            .api("POST", &format!("{url}/submit"), Some(&boss), None)
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        let res = t
            .api(
                "POST",
                &format!("{url}/review"),
                Some(&officer),
                Some(r#"{"decision":"approve"}"#),
            )
            .await;
        assert_eq!(res.json()["assessment"]["assessment"]["status"], "approved");

        // The office's distribution counts the school at its approved level.
        let res = t
            .api(
                "GET",
                &format!("/api/v1/dx/units/{office_id}/distribution"),
                Some(&officer),
                None,
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        let d = res.json();
        assert!(d["total"]["level2"].as_u64().unwrap() >= 1);
        assert_eq!(d["targets"]["level1_percent"], 70.0);
        let schools = t
            .api(
                "GET",
                &format!("/api/v1/dx/units/{office_id}/schools"),
                Some(&officer),
                None,
            )
            .await
            .json();
        let mine = schools
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["school_id"] == school)
            .unwrap();
        assert_eq!(
            (mine["status"].as_str(), mine["level"].as_i64()),
            (Some("approved"), Some(2))
        );
    })
    .await;
}
