//! The public side of admission in JSON: the campaigns a guardian may apply to or look up, with
//! their schools, seats, zones, documents and calendar (no account needed). Applying itself is
//! done through the pages (`/admission/...`), which carry the guardian session and CSRF token.

use axum::Json;
use axum::extract::State;
use chrono::Utc;
use serde::Serialize;
use truongso_store::admission::{self, Campaign, CampaignSchool};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::ApiResult;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(public_campaigns))
}

/// A campaign as the public sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicCampaign {
    pub campaign: Campaign,
    /// Whether applications are accepted right now.
    pub accepting: bool,
    pub schools: Vec<CampaignSchool>,
    /// Where to apply (the form works without JavaScript).
    pub apply_url: String,
}

/// Campaigns open for applications or with results, newest first, with their schools.
#[utoipa::path(get, path = "/public/admission/campaigns", tag = "admission", security(()),
    responses((status = 200, body = Vec<PublicCampaign>)))]
async fn public_campaigns(State(s): State<AppState>) -> ApiResult<Json<Vec<PublicCampaign>>> {
    let mut conn = s.store.conn();
    let now = Utc::now();
    let mut out = vec![];
    for c in admission::public_campaigns(&mut conn).await? {
        let schools = admission::campaign_schools(&mut conn, c.id).await?;
        out.push(PublicCampaign {
            accepting: c.accepts_applications(now),
            apply_url: format!("/admission/{}/apply", c.id),
            schools,
            campaign: c,
        });
    }
    Ok(Json(out))
}
