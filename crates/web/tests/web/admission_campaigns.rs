//! Campaign pages over HTTP, on SQLite and PostgreSQL: an office officer creates a grade-1
//! campaign with the form (a bad form writes nothing and says why), opens it once its school
//! has a zone, and a principal can read the campaign but not change it.

use crate::support::TestApp;
use axum::http::StatusCode;
use sea_query::{Expr, Query};
use truongso_domain::org::{OrgKind, SchoolLevel};
use truongso_store::schema::AdmCampaigns;
use truongso_store::{PageRequest, Scope, Store, orgs, users};

const PASSWORD: &str = "mat-khau-tuyen-sinh";

/// A primary school under a local office: (school id, office id, ward code).
async fn primary_school(store: &Store) -> (i64, i64, String) {
    let all = orgs::list(
        &mut store.conn(),
        &Scope::All,
        &orgs::OrgFilter {
            kind: Some(OrgKind::School),
            ..Default::default()
        },
        &PageRequest::new(1, 500),
    )
    .await
    .unwrap()
    .items;
    for s in all
        .iter()
        .filter(|s| s.levels.0.contains(&SchoolLevel::Primary))
    {
        let parent = orgs::get(&mut store.conn(), &Scope::All, s.parent_id.unwrap())
            .await
            .unwrap();
        if parent.kind == OrgKind::LocalOffice
            && let Some(ward) = &s.ward_code
        {
            return (s.id, parent.id, ward.clone());
        }
    }
    panic!("the demo has a primary school under a local office")
}

async fn login(t: &TestApp, username: &str, role: &str, org: i64) -> (String, String) {
    let mut tx = t.store.begin().await.unwrap();
    users::create(
        &mut tx,
        &users::NewUser {
            username,
            password: PASSWORD,
            display_name: username,
            role,
            scope_org_id: org,
            staff_id: None,
            learner_ids: &[],
            must_change_password: false,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    t.browser_login(username, PASSWORD).await
}

async fn campaigns(store: &Store) -> i64 {
    let (n,): (i64,) = store
        .conn()
        .fetch_one(
            Query::select()
                .expr(Expr::cust("COUNT(*)"))
                .from(AdmCampaigns::Table),
        )
        .await
        .unwrap();
    n
}

#[tokio::test]
async fn an_office_creates_and_opens_a_campaign_with_the_form() {
    TestApp::on_both(|t| async move {
        let (school, office, ward) = primary_school(&t.store).await;
        let (cookie, csrf) = login(&t, "ts.phong.tao", "office_officer", office).await;
        let form = t.page("GET", "/campaigns/new?grade=1", &cookie, None).await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.text);
        assert!(form.text.contains(&format!("name=\"school_{school}\"")));
        let before = campaigns(&t.store).await;

        // Seats missing: refused whole, the form kept, nothing written.
        let bad = format!(
            "_csrf={csrf}&name=Tuyển+sinh+lớp+1&school_year_id=1&opens=2027-05-01&closes=2027-05-20&results=2027-07-01&documents=Giấy+khai+sinh*&school_{school}=1&seats_{school}=&zone_{school}={ward}"
        );
        let res = t.page("POST", "/campaigns/new?grade=1", &cookie, Some(&bad)).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
        assert!(res.text.contains("Chỉ tiêu phải từ 1 đến 5000"), "{}", res.text);
        assert!(res.text.contains("Tuyển sinh lớp 1"));
        assert_eq!(campaigns(&t.store).await, before);

        let good = bad.replace(&format!("seats_{school}="), &format!("seats_{school}=40"));
        let res = t.page("POST", "/campaigns/new?grade=1", &cookie, Some(&good)).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text);
        assert_eq!(campaigns(&t.store).await, before + 1);
        let overview = t.page("GET", res.location(), &cookie, None).await;
        assert!(overview.text.contains("Đang chuẩn bị") && overview.text.contains(&ward));
        let id = res.location().rsplit('/').next().unwrap().to_string();
        let res = t
            .page(
                "POST",
                &format!("/campaigns/{id}/status"),
                &cookie,
                Some(&format!("_csrf={csrf}&status=open")),
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text);
        let overview = t.page("GET", res.location(), &cookie, None).await;
        assert!(overview.text.contains("Đang nhận hồ sơ"));

        // The school's principal reads the campaign; changing it is refused.
        let (cookie, csrf) = login(&t, "ts.hieutruong.doc", "principal", school).await;
        let page = t.page("GET", &format!("/campaigns/{id}"), &cookie, None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.text.contains("name=\"status\""));
        let res = t
            .page(
                "POST",
                &format!("/campaigns/{id}/status"),
                &cookie,
                Some(&format!("_csrf={csrf}&status=closed")),
            )
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
    })
    .await;
}
