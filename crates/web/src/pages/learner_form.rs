//! The learner create and edit forms: HTML form fields ↔ `LearnerInput`, with every error shown
//! next to its field and summarised at the top (GOV.UK error-summary pattern).

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use truongso_domain::FieldError;
use truongso_domain::codes::Gender;
use truongso_domain::learners::{
    Disability, GuardianInput, GuardianRelation, LearnerInput, PolicyGroup,
};
use truongso_domain::tabular::parse_date_vn;
use truongso_store::classes::{self, ClassFilter};
use truongso_store::learners::{self, NewLearner};
use truongso_store::{PageRequest, StoreError, years};

use super::{Crumb, InLang, Nav, PageResult, crumbs_for};
use crate::AppState;
use crate::actor::Actor;
use crate::api::{parse_query, today};
use crate::error::ApiError;
use crate::i18n::Lang;

/// The form exactly as typed: strings, so that a bad value is shown back to be corrected.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct LearnerForm {
    pub full_name: String,
    pub birth_date: String,
    pub gender: String,
    pub national_id: String,
    pub ethnicity_code: String,
    pub nationality: String,
    pub religion: String,
    pub address: String,
    pub ward_code: String,
    pub disability: String,
    pub policy_group: String,
    pub class_id: String,
    pub g0_relation: String,
    pub g0_full_name: String,
    pub g0_phone: String,
    pub g0_email: String,
    pub g1_relation: String,
    pub g1_full_name: String,
    pub g1_phone: String,
    pub g1_email: String,
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

impl LearnerForm {
    fn from_input(input: &LearnerInput) -> Self {
        let g = |i: usize| input.guardians.get(i);
        LearnerForm {
            full_name: input.full_name.clone(),
            birth_date: input.birth_date.format("%d/%m/%Y").to_string(),
            gender: input.gender.code().into(),
            national_id: input.national_id.clone().unwrap_or_default(),
            ethnicity_code: input.ethnicity_code.clone(),
            nationality: input.nationality.clone(),
            religion: input.religion.clone().unwrap_or_default(),
            address: input.address.clone().unwrap_or_default(),
            ward_code: input.ward_code.clone().unwrap_or_default(),
            disability: input
                .disability
                .map(|d| d.code().to_string())
                .unwrap_or_default(),
            policy_group: input
                .policy_group
                .map(|p| p.code().to_string())
                .unwrap_or_default(),
            class_id: String::new(),
            g0_relation: g(0)
                .map(|g| g.relation.code().to_string())
                .unwrap_or_default(),
            g0_full_name: g(0).map(|g| g.full_name.clone()).unwrap_or_default(),
            g0_phone: g(0).and_then(|g| g.phone.clone()).unwrap_or_default(),
            g0_email: g(0).and_then(|g| g.email.clone()).unwrap_or_default(),
            g1_relation: g(1)
                .map(|g| g.relation.code().to_string())
                .unwrap_or_default(),
            g1_full_name: g(1).map(|g| g.full_name.clone()).unwrap_or_default(),
            g1_phone: g(1).and_then(|g| g.phone.clone()).unwrap_or_default(),
            g1_email: g(1).and_then(|g| g.email.clone()).unwrap_or_default(),
        }
    }

    /// Converts the typed strings into an input, or the field errors of what cannot be parsed.
    /// Domain rules are checked afterwards by the store, with the same field names.
    fn to_input(&self) -> Result<LearnerInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let birth_date = parse_date_vn(&self.birth_date);
        if birth_date.is_none() {
            errors.push(FieldError::new(
                "birth_date",
                "Ngày sinh phải có dạng ngày/tháng/năm, ví dụ 05/09/2015.",
            ));
        }
        let gender = Gender::from_code(&self.gender);
        if gender.is_none() {
            errors.push(FieldError::new("gender", "Chọn giới tính."));
        }
        let disability = opt(&self.disability).map(|c| Disability::from_code(&c));
        if disability == Some(None) {
            errors.push(FieldError::new(
                "disability",
                "Loại khuyết tật không hợp lệ.",
            ));
        }
        let policy_group = opt(&self.policy_group).map(|c| PolicyGroup::from_code(&c));
        if policy_group == Some(None) {
            errors.push(FieldError::new(
                "policy_group",
                "Đối tượng chính sách không hợp lệ.",
            ));
        }
        let mut guardians = Vec::new();
        for (i, (relation, name, phone, email)) in [
            (
                &self.g0_relation,
                &self.g0_full_name,
                &self.g0_phone,
                &self.g0_email,
            ),
            (
                &self.g1_relation,
                &self.g1_full_name,
                &self.g1_phone,
                &self.g1_email,
            ),
        ]
        .into_iter()
        .enumerate()
        {
            if name.trim().is_empty() && phone.trim().is_empty() && email.trim().is_empty() {
                continue;
            }
            match GuardianRelation::from_code(relation) {
                Some(relation) => guardians.push(GuardianInput {
                    relation,
                    full_name: name.trim().to_string(),
                    phone: opt(phone),
                    email: opt(email),
                    national_id: None,
                }),
                None => errors.push(FieldError::new(
                    format!("guardians[{i}].relation"),
                    "Chọn quan hệ với học sinh.",
                )),
            }
        }
        match (birth_date, gender, errors.is_empty()) {
            (Some(birth_date), Some(gender), true) => Ok(LearnerInput {
                national_id: opt(&self.national_id),
                full_name: self.full_name.clone(),
                birth_date,
                gender,
                ethnicity_code: self.ethnicity_code.trim().to_string(),
                nationality: opt(&self.nationality)
                    .unwrap_or_else(|| "VN".into())
                    .to_uppercase(),
                religion: opt(&self.religion),
                address: opt(&self.address),
                ward_code: opt(&self.ward_code),
                disability: disability.flatten(),
                policy_group: policy_group.flatten(),
                guardians,
            }),
            _ => Err(errors),
        }
    }
}

/// Maps an error field of the domain ("guardians[1].phone") to its form input ("g1_phone").
fn form_field(field: &str) -> String {
    match field
        .strip_prefix("guardians[")
        .and_then(|r| r.split_once("]."))
    {
        Some((i, name)) => format!("g{i}_{name}"),
        None => field.to_string(),
    }
}

pub struct SelectOption {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn options(
    items: impl Iterator<Item = (String, String)>,
    selected: &str,
    empty: Option<&str>,
) -> Vec<SelectOption> {
    let mut out: Vec<SelectOption> = empty
        .map(|label| SelectOption {
            value: String::new(),
            label: label.to_string(),
            selected: selected.is_empty(),
        })
        .into_iter()
        .collect();
    out.extend(items.map(|(value, label)| SelectOption {
        selected: value == selected,
        value,
        label,
    }));
    out
}

pub struct GuardianFields {
    pub relation_name: String,
    pub relation_field: String,
    pub name_name: String,
    pub name_field: String,
    pub phone_name: String,
    pub phone_field: String,
    pub email_name: String,
    pub email_field: String,
    pub relations: Vec<SelectOption>,
    pub full_name: String,
    pub phone: String,
    pub email: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "learner_form.html")]
pub struct LearnerFormPage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    heading: String,
    action: String,
    cancel: String,
    form: LearnerForm,
    errors: Vec<FieldError>,
    error_map: HashMap<String, String>,
    genders: Vec<SelectOption>,
    ethnicities: Vec<SelectOption>,
    disabilities: Vec<SelectOption>,
    policy_groups: Vec<SelectOption>,
    classes: Vec<SelectOption>,
    guardian_forms: Vec<GuardianFields>,
}

impl LearnerFormPage {
    /// The error of one input, for the template.
    pub fn err(&self, field: &str) -> Option<&str> {
        self.error_map.get(field).map(String::as_str)
    }

    #[allow(clippy::too_many_arguments)]
    fn build(
        lang: Lang,
        nav: Nav,
        crumbs: Vec<Crumb>,
        heading: String,
        action: String,
        cancel: String,
        form: LearnerForm,
        errors: Vec<FieldError>,
        class_choices: Vec<(String, String)>,
    ) -> Self {
        let errors: Vec<FieldError> = errors
            .into_iter()
            .map(|e| FieldError::new(form_field(&e.field), e.message))
            .collect();
        let error_map = errors
            .iter()
            .map(|e| (e.field.clone(), e.message.clone()))
            .collect();
        let relation_options = |selected: &str| {
            options(
                GuardianRelation::ALL.iter().map(|r| {
                    (
                        r.code().into(),
                        lang.label(r.label_vi(), r.label_en()).into(),
                    )
                }),
                selected,
                Some("—"),
            )
        };
        let guardian_forms = [
            (
                0,
                &form.g0_relation,
                &form.g0_full_name,
                &form.g0_phone,
                &form.g0_email,
            ),
            (
                1,
                &form.g1_relation,
                &form.g1_full_name,
                &form.g1_phone,
                &form.g1_email,
            ),
        ]
        .into_iter()
        .map(|(i, relation, name, phone, email)| GuardianFields {
            relation_name: format!("g{i}_relation"),
            relation_field: format!("g{i}_relation"),
            name_name: format!("g{i}_full_name"),
            name_field: format!("g{i}_full_name"),
            phone_name: format!("g{i}_phone"),
            phone_field: format!("g{i}_phone"),
            email_name: format!("g{i}_email"),
            email_field: format!("g{i}_email"),
            relations: relation_options(relation),
            full_name: name.clone(),
            phone: phone.clone(),
            email: email.clone(),
        })
        .collect();
        LearnerFormPage {
            nav,
            genders: options(
                Gender::ALL.iter().map(|g| {
                    (
                        g.code().into(),
                        lang.label(g.label_vi(), g.label_en()).into(),
                    )
                }),
                &form.gender,
                Some("—"),
            ),
            ethnicities: options(
                truongso_domain::reference::ethnicities()
                    .iter()
                    .map(|e| (e.code.clone(), e.name.clone())),
                if form.ethnicity_code.is_empty() {
                    "01"
                } else {
                    &form.ethnicity_code
                },
                None,
            ),
            disabilities: options(
                Disability::ALL.iter().map(|d| {
                    (
                        d.code().into(),
                        lang.label(d.label_vi(), d.label_en()).into(),
                    )
                }),
                &form.disability,
                Some(lang.t("none")),
            ),
            policy_groups: options(
                PolicyGroup::ALL.iter().map(|p| {
                    (
                        p.code().into(),
                        lang.label(p.label_vi(), p.label_en()).into(),
                    )
                }),
                &form.policy_group,
                Some(lang.t("none")),
            ),
            classes: if class_choices.is_empty() {
                vec![]
            } else {
                options(class_choices.into_iter(), &form.class_id, Some("—"))
            },
            guardian_forms,
            lang,
            crumbs,
            heading,
            action,
            cancel,
            form,
            errors,
            error_map,
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct NewQuery {
    school_id: i64,
}

async fn class_choices(
    state: &AppState,
    actor: &Actor,
    school_id: i64,
) -> PageResult<Vec<(String, String)>> {
    let Some(year) = years::current(&mut state.store.conn()).await.lang(actor)? else {
        return Ok(vec![]);
    };
    let filter = ClassFilter {
        org_unit_id: Some(school_id),
        school_year_id: Some(year.id),
        grade: None,
    };
    let classes = classes::list(
        &mut state.store.conn(),
        &actor.scope,
        &filter,
        &PageRequest::new(1, 500),
    )
    .await
    .lang(actor)?;
    Ok(classes
        .items
        .into_iter()
        .map(|c| (c.id.to_string(), c.name))
        .collect())
}

pub async fn new_form(
    State(s): State<AppState>,
    actor: Actor,
    uri: Uri,
) -> PageResult<LearnerFormPage> {
    let q: NewQuery = parse_query(uri.query().unwrap_or("")).lang(&actor)?;
    render_new(
        &s,
        &actor,
        q.school_id,
        LearnerForm {
            nationality: "VN".into(),
            ..Default::default()
        },
        vec![],
    )
    .await
}

async fn render_new(
    s: &AppState,
    actor: &Actor,
    school_id: i64,
    form: LearnerForm,
    errors: Vec<FieldError>,
) -> PageResult<LearnerFormPage> {
    let school = truongso_store::orgs::get(&mut s.store.conn(), &actor.scope, school_id)
        .await
        .lang(actor)?;
    let crumbs = crumbs_for(s, actor, &school).await?;
    let choices = class_choices(s, actor, school_id).await?;
    Ok(LearnerFormPage::build(
        actor.lang,
        Nav::of(actor),
        crumbs,
        format!("{} — {}", actor.lang.t("add_learner"), school.name),
        format!("/learners/new?school_id={school_id}"),
        format!("/orgs/{school_id}"),
        form,
        errors,
        choices,
    ))
}

/// Turns a store error into form errors when it is about the input; anything else is a page error.
fn form_errors(actor: &Actor, e: StoreError) -> PageResult<Vec<FieldError>> {
    match e {
        StoreError::Invalid(inv) => Ok(inv.0),
        StoreError::Conflict(f) => Ok(vec![f]),
        other => Err((actor, ApiError::from(other)).into()),
    }
}

pub async fn create(
    State(s): State<AppState>,
    actor: Actor,
    uri: Uri,
    Form(form): Form<LearnerForm>,
) -> PageResult<Response> {
    let q: NewQuery = parse_query(uri.query().unwrap_or("")).lang(&actor)?;
    let errors = match form.to_input() {
        Ok(profile) => {
            let class_id = form.class_id.trim().parse().ok();
            let new = NewLearner {
                profile,
                school_id: q.school_id,
                class_id,
            };
            let mut tx = s.store.begin().await.lang(&actor)?;
            match learners::create(&mut tx, &actor.scope, &new, today()).await {
                Ok(learner) => {
                    tx.commit().await.lang(&actor)?;
                    return Ok(Redirect::to(&format!("/learners/{}", learner.id)).into_response());
                }
                Err(e) => form_errors(&actor, e)?,
            }
        }
        Err(errors) => errors,
    };
    let page = render_new(&s, &actor, q.school_id, form, errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

pub async fn edit_form(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> PageResult<LearnerFormPage> {
    let learner = learners::get(&mut s.store.conn(), &actor.scope, id)
        .await
        .lang(&actor)?;
    render_edit(
        &s,
        &actor,
        id,
        LearnerForm::from_input(&learner.to_input()),
        vec![],
    )
    .await
}

async fn render_edit(
    s: &AppState,
    actor: &Actor,
    id: i64,
    form: LearnerForm,
    errors: Vec<FieldError>,
) -> PageResult<LearnerFormPage> {
    let learner = learners::get(&mut s.store.conn(), &actor.scope, id)
        .await
        .lang(actor)?;
    let school = truongso_store::orgs::get(&mut s.store.conn(), &actor.scope, learner.school_id)
        .await
        .lang(actor)?;
    let mut crumbs = crumbs_for(s, actor, &school).await?;
    crumbs.push(Crumb {
        href: format!("/learners/{id}"),
        label: learner.full_name.clone(),
    });
    Ok(LearnerFormPage::build(
        actor.lang,
        Nav::of(actor),
        crumbs,
        format!("{} — {}", actor.lang.t("edit"), learner.full_name),
        format!("/learners/{id}/edit"),
        format!("/learners/{id}"),
        form,
        errors,
        vec![],
    ))
}

pub async fn update(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Form(form): Form<LearnerForm>,
) -> PageResult<Response> {
    let errors = match form.to_input() {
        Ok(input) => {
            let mut tx = s.store.begin().await.lang(&actor)?;
            match learners::update(&mut tx, &actor.scope, id, &input, today()).await {
                Ok(_) => {
                    tx.commit().await.lang(&actor)?;
                    return Ok(Redirect::to(&format!("/learners/{id}")).into_response());
                }
                Err(e) => form_errors(&actor, e)?,
            }
        }
        Err(errors) => errors,
    };
    let page = render_edit(&s, &actor, id, form, errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_guardian_fields_to_inputs() {
        assert_eq!(form_field("guardians[1].phone"), "g1_phone");
        assert_eq!(form_field("full_name"), "full_name");
    }
}
