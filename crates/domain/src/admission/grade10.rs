//! Grade 10 (tuyển sinh lớp 10): assignment of applicants with exam scores to schools over up to
//! three ranked choices (nguyện vọng, NV), the published cut-offs (điểm chuẩn) per school and
//! choice, and why each applicant got what they got.
//!
//! Two mechanisms ([`Mechanism`]), both from admission.md:
//! - **Deferred acceptance** (student-proposing Gale–Shapley). A school ranks an applicant by
//!   `score − premium of the rank at which the applicant chose it`, so with premiums (0, 1, 2)
//!   an NV2 applicant needs 1.0 more than an NV1 applicant to take the seat (the Hà Nội margins);
//!   with (0, 0, 0) schools rank by score alone (HCMC). The result is the applicant-optimal stable
//!   assignment: each school has one effective cut-off `T`, and its published cut-off for NV r is
//!   `T + premium r` — later choices are never lower when premiums do not decrease.
//! - **City rule** (ưu tiên nguyện vọng trước — immediate acceptance by rounds): round r offers
//!   the remaining seats to the still unplaced applicants whose r-th choice is that school, best
//!   first, and admissions are final; from NV2 on, an applicant must reach the school's NV1
//!   cut-off plus the premium of the choice (Hà Nội: +1.0 for NV2, +2.0 for NV3), and never less
//!   than an earlier choice's cut-off. [check] This is our reading of "NV2/NV3 at least 1.0/2.0
//!   above that school's NV1 cut-off"; it is not strategy-proof, which is why deferred acceptance
//!   is offered.
//!
//! Zones are optional ([`Grade10Rules::zone_bound_choices`]): Hà Nội requires NV1 and NV2 inside
//! the applicant's zone, which is a check on the choices, not a change to either mechanism.
//!
//! Ties at a cut-off are broken by the ordered criteria of [`Grade10Rules::tie_breaks`], then
//! ([`StillTied`]) by the applicant ID (deterministic, seats respected) or by admitting everyone
//! still tied (admission.md's [open] reading, which may exceed the seats).
//!
//! Complexity, for n applicants with at most k choices over S schools: each school's proposals
//! are sorted once, O(nk log nk); afterwards every comparison is between two precomputed integer
//! positions. Deferred acceptance makes at most nk proposals, each a binary-heap operation:
//! O(nk log n). The city rule is k rounds of bucketing and sorting: O(nk log n). Memory is a few
//! flat `Vec<u32>` of length nk; nothing is cloned per step.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap, HashMap};

use serde::{Deserialize, Serialize};

use super::{AdmissionError, Points};

/// Which assignment mechanism a campaign uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mechanism {
    DeferredAcceptance,
    CityRule,
}

/// One criterion for applicants with equal effective scores at a school, best first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "by")]
pub enum TieBreak {
    /// Priority group 1 before 2 before 3 before none.
    PriorityGroup,
    /// The higher score in this paper (by its name in [`Applicant::subjects`]); missing is last.
    Subject { name: String },
    /// The applicant who put the school at an earlier choice.
    ChoiceRank,
}

/// What happens to applicants still tied after every criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StillTied {
    /// The smaller applicant ID first: deterministic, and a school never exceeds its seats.
    ApplicantId,
    /// Everyone tied with the last admitted applicant is admitted (the school may exceed its seats).
    AdmitAll,
}

/// The grade-10 readings admission.md leaves to each city's plan ([check], [open]),
/// configurable per campaign. Defaults: deferred acceptance, the Hà Nội premiums (0, 1.0, 2.0),
/// three choices, ties broken by priority group and then by applicant ID.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Grade10Rules {
    pub mechanism: Mechanism,
    /// The premium of each choice rank (NV1, NV2, NV3, …), subtracted from the score when a
    /// school ranks its applicants. [check] per city: Hà Nội (0, 1, 2), HCMC (0, 0, 0).
    pub choice_premiums: Vec<Points>,
    /// The most choices an applicant may list.
    pub max_choices: usize,
    /// [open] Ordered tie-break criteria of the city's plan.
    pub tie_breaks: Vec<TieBreak>,
    /// [open] After the criteria: by applicant ID (default) or admit all tied.
    pub still_tied: StillTied,
    /// [check] How many leading choices must be schools of the applicant's own zone (Hà Nội
    /// 2022–2025: 2, NV1 and NV2; a 2026 proposal drops zones). Default 0: zones not used.
    /// Only schools and applicants that have a zone are checked.
    pub zone_bound_choices: usize,
}

impl Default for Grade10Rules {
    fn default() -> Self {
        Grade10Rules {
            mechanism: Mechanism::DeferredAcceptance,
            choice_premiums: vec![
                Points::ZERO,
                Points::from_hundredths(100),
                Points::from_hundredths(200),
            ],
            max_choices: 3,
            tie_breaks: vec![TieBreak::PriorityGroup],
            still_tied: StillTied::ApplicantId,
            zone_bound_choices: 0,
        }
    }
}

/// A school of the campaign and its seats (chỉ tiêu).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct School {
    pub code: String,
    pub seats: u32,
    /// The admission zone (khu vực tuyển sinh) the school belongs to, when zones are used.
    #[serde(default)]
    pub zone: Option<String>,
}

/// An applicant: the admission score (already including priority points, see
/// [`hcmc_score`]), the ranked choices (school codes), and what tie-breaks may look at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Applicant {
    pub id: String,
    pub score: Points,
    pub choices: Vec<String>,
    #[serde(default)]
    pub priority_group: Option<u8>,
    #[serde(default)]
    pub subjects: BTreeMap<String, Points>,
    /// The admission zone of the applicant's residence, when zones are used.
    #[serde(default)]
    pub zone: Option<String>,
}

/// The priority points of a group (admission.md: group 1 +2.0, group 2 +1.5, group 3 +1.0).
pub fn priority_points(group: Option<u8>) -> Result<Points, AdmissionError> {
    match group {
        None => Ok(Points::ZERO),
        Some(1) => Ok(Points::from_hundredths(200)),
        Some(2) => Ok(Points::from_hundredths(150)),
        Some(3) => Ok(Points::from_hundredths(100)),
        Some(g) => Err(AdmissionError::UnknownPriorityGroup(g)),
    }
}

/// The HCMC admission score (since 2024): Mathematics + Literature + Foreign language, each ×1,
/// plus priority points. All three papers must have been taken (`None` is absent) and none may be
/// 0; each is 0–10.
pub fn hcmc_score(
    mathematics: Option<Points>,
    literature: Option<Points>,
    foreign_language: Option<Points>,
    priority_group: Option<u8>,
) -> Result<Points, AdmissionError> {
    let mut total = Points::ZERO;
    for (paper, score) in [
        ("Toán", mathematics),
        ("Ngữ văn", literature),
        ("Ngoại ngữ", foreign_language),
    ] {
        let score = score.ok_or(AdmissionError::MissingPaper(paper))?;
        if score < Points::ZERO || score > Points::from_hundredths(1000) {
            return Err(AdmissionError::PaperOutOfRange { paper, score });
        }
        if score == Points::ZERO {
            return Err(AdmissionError::ZeroPaper(paper));
        }
        total = total + score;
    }
    Ok(total + priority_points(priority_group)?)
}

/// Why an applicant was not admitted at one of their choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "reason")]
pub enum RejectReason {
    /// The score is below the school's cut-off for this choice.
    BelowCutOff { cut_off: Points },
    /// The score equals the cut-off, but the tie-break criteria (or the ID) ranked others first.
    LostTieBreak { cut_off: Points },
    /// City rule: the school was already full from earlier choices.
    NoSeatsLeft,
    /// City rule: below the NV1 cut-off plus this choice's premium.
    BelowFloor { floor: Points },
    /// The school has no seats.
    NoSeats,
}

/// One choice that did not admit the applicant (choice is 0-based: 0 is NV1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rejection {
    pub choice: u8,
    /// Index into the campaign's schools.
    pub school: u32,
    #[serde(flatten)]
    pub reason: RejectReason,
}

/// One applicant's outcome: the admitting choice (0-based) and the earlier choices that refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// Index into the campaign's schools.
    pub school: Option<u32>,
    pub choice: Option<u8>,
    pub rejections: Vec<Rejection>,
}

/// A school's published result: admitted counts and the cut-off per choice rank (`None`: the
/// school did not fill its seats, so it admitted everyone who reached it at that rank).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CutOffs {
    pub seats: u32,
    pub admitted: u32,
    pub admitted_per_choice: Vec<u32>,
    pub per_choice: Vec<Option<Points>>,
}

/// The whole result, in the order of the inputs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assignment {
    pub outcomes: Vec<Outcome>,
    pub cut_offs: Vec<CutOffs>,
}

impl Assignment {
    /// Each applicant's school code, or `None`.
    pub fn schools_by_applicant<'a>(
        &self,
        applicants: &'a [Applicant],
        schools: &'a [School],
    ) -> BTreeMap<&'a str, Option<&'a str>> {
        applicants
            .iter()
            .zip(&self.outcomes)
            .map(|(a, o)| {
                (
                    a.id.as_str(),
                    o.school.map(|s| schools[s as usize].code.as_str()),
                )
            })
            .collect()
    }

    /// The Vietnamese explanation of applicant `i`'s outcome: the admitting choice and its
    /// cut-off, and why each earlier choice did not admit them.
    pub fn explain(&self, applicants: &[Applicant], schools: &[School], i: usize) -> String {
        self.explain_named(applicants, i, |s| format!("trường {}", schools[s].code))
    }

    /// [`Assignment::explain`] with schools called by `name(index)` ("Trường THPT Lê Lợi", for
    /// people, rather than a code).
    pub fn explain_named(
        &self,
        applicants: &[Applicant],
        i: usize,
        name: impl Fn(usize) -> String,
    ) -> String {
        let a = &applicants[i];
        let o = &self.outcomes[i];
        let x = a.score.vi();
        let mut text = format!("Điểm xét tuyển: {x}.");
        if a.choices.is_empty() {
            text.push_str(" Không đăng ký nguyện vọng nào.");
            return text;
        }
        for r in &o.rejections {
            let code = name(r.school as usize);
            let why = match r.reason {
                RejectReason::BelowCutOff { cut_off } => {
                    format!("điểm xét tuyển {x} thấp hơn điểm chuẩn {}", cut_off.vi())
                }
                RejectReason::LostTieBreak { cut_off } => format!(
                    "điểm xét tuyển {x} bằng điểm chuẩn {} nhưng xếp sau theo tiêu chí phụ",
                    cut_off.vi()
                ),
                RejectReason::NoSeatsLeft => {
                    "trường đã tuyển đủ chỉ tiêu từ các nguyện vọng trước".to_string()
                }
                RejectReason::BelowFloor { floor } => format!(
                    "điểm xét tuyển {x} thấp hơn mức tối thiểu {} cho nguyện vọng này \
                     (điểm chuẩn các nguyện vọng trước cộng mức chênh)",
                    floor.vi()
                ),
                RejectReason::NoSeats => "trường không có chỉ tiêu".to_string(),
            };
            text.push_str(&format!(
                " Nguyện vọng {} ({code}): không trúng tuyển vì {why}.",
                r.choice + 1
            ));
        }
        match (o.school, o.choice) {
            (Some(s), Some(c)) => {
                let cut = self.cut_offs[s as usize]
                    .per_choice
                    .get(usize::from(c))
                    .copied()
                    .flatten();
                let cut = match cut {
                    Some(p) => format!("điểm chuẩn nguyện vọng {} là {}", c + 1, p.vi()),
                    None => "trường chưa tuyển đủ chỉ tiêu nên không lấy điểm chuẩn".to_string(),
                };
                text.push_str(&format!(
                    " Trúng tuyển nguyện vọng {} vào {} ({cut}).",
                    c + 1,
                    name(s as usize)
                ));
            }
            _ => text.push_str(" Không trúng tuyển nguyện vọng nào."),
        }
        text
    }
}

/// The campaign's data as flat arrays: proposal `f` (applicant `owner[f]`'s choice `rank[f]`
/// at school `school[f]`) and its position in that school's ranking, best first.
struct Prepared {
    offsets: Vec<u32>,
    owner: Vec<u32>,
    rank: Vec<u8>,
    school: Vec<u32>,
    /// Position within the school's ranking (0 is best); unique per school.
    pos: Vec<u32>,
    /// Equal for proposals at the same school tied on effective score and every criterion.
    class: Vec<u32>,
}

fn effective(a: &Applicant, rank: u8, premiums: &[Points]) -> Points {
    a.score - premiums[usize::from(rank)]
}

fn prepare(
    applicants: &[Applicant],
    schools: &[School],
    rules: &Grade10Rules,
) -> Result<Prepared, AdmissionError> {
    let mut index: HashMap<&str, u32> = HashMap::with_capacity(schools.len());
    for (i, s) in schools.iter().enumerate() {
        if index.insert(s.code.as_str(), i as u32).is_some() {
            return Err(AdmissionError::DuplicateSchool(s.code.clone()));
        }
    }
    let mut ids: Vec<&str> = applicants.iter().map(|a| a.id.as_str()).collect();
    ids.sort_unstable();
    if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
        return Err(AdmissionError::DuplicateApplicant(w[0].to_string()));
    }
    drop(ids);
    let total: usize = applicants.iter().map(|a| a.choices.len()).sum();
    let mut p = Prepared {
        offsets: Vec::with_capacity(applicants.len() + 1),
        owner: Vec::with_capacity(total),
        rank: Vec::with_capacity(total),
        school: Vec::with_capacity(total),
        pos: vec![0; total],
        class: vec![0; total],
    };
    let mut per_school: Vec<Vec<u32>> = vec![Vec::new(); schools.len()];
    for (ai, a) in applicants.iter().enumerate() {
        p.offsets.push(p.owner.len() as u32);
        if a.choices.len() > rules.max_choices {
            return Err(AdmissionError::TooManyChoices {
                applicant: a.id.clone(),
                count: a.choices.len(),
                max: rules.max_choices,
            });
        }
        if a.choices.len() > rules.choice_premiums.len() {
            return Err(AdmissionError::MissingPremium(
                rules.choice_premiums.len() + 1,
            ));
        }
        priority_points(a.priority_group)?;
        for (r, code) in a.choices.iter().enumerate() {
            let s = *index
                .get(code.as_str())
                .ok_or_else(|| AdmissionError::UnknownSchool {
                    applicant: a.id.clone(),
                    school: code.clone(),
                })?;
            if r < rules.zone_bound_choices
                && let (Some(home), Some(zone)) = (&a.zone, &schools[s as usize].zone)
                && home != zone
            {
                return Err(AdmissionError::ChoiceOutsideZone {
                    applicant: a.id.clone(),
                    school: code.clone(),
                    choice: r + 1,
                });
            }
            if a.choices[..r].contains(code) {
                return Err(AdmissionError::RepeatedChoice {
                    applicant: a.id.clone(),
                    school: code.clone(),
                });
            }
            per_school[s as usize].push(p.owner.len() as u32);
            p.owner.push(ai as u32);
            p.rank.push(r as u8);
            p.school.push(s);
        }
    }
    p.offsets.push(p.owner.len() as u32);

    let premiums = &rules.choice_premiums;
    let tied = |x: u32, y: u32| -> Ordering {
        let (a, b) = (
            &applicants[p.owner[x as usize] as usize],
            &applicants[p.owner[y as usize] as usize],
        );
        let (ra, rb) = (p.rank[x as usize], p.rank[y as usize]);
        let mut o = effective(b, rb, premiums).cmp(&effective(a, ra, premiums));
        for t in &rules.tie_breaks {
            if o != Ordering::Equal {
                break;
            }
            o = match t {
                TieBreak::PriorityGroup => a
                    .priority_group
                    .unwrap_or(u8::MAX)
                    .cmp(&b.priority_group.unwrap_or(u8::MAX)),
                TieBreak::Subject { name } => b.subjects.get(name).cmp(&a.subjects.get(name)),
                TieBreak::ChoiceRank => ra.cmp(&rb),
            };
        }
        o
    };
    for list in &mut per_school {
        list.sort_unstable_by(|&x, &y| {
            tied(x, y).then_with(|| {
                applicants[p.owner[x as usize] as usize]
                    .id
                    .cmp(&applicants[p.owner[y as usize] as usize].id)
            })
        });
        let mut class = 0;
        for (i, &f) in list.iter().enumerate() {
            if i > 0 && tied(list[i - 1], f) != Ordering::Equal {
                class = i as u32;
            }
            p.pos[f as usize] = i as u32;
            p.class[f as usize] = class;
        }
    }
    Ok(p)
}

/// Assigns the applicants under `rules`; see the module documentation for the mechanisms.
/// Bad input (an unknown or repeated school, duplicate IDs, too many choices) is an error.
pub fn assign(
    applicants: &[Applicant],
    schools: &[School],
    rules: &Grade10Rules,
) -> Result<Assignment, AdmissionError> {
    let p = prepare(applicants, schools, rules)?;
    let placed = match rules.mechanism {
        Mechanism::DeferredAcceptance => deferred_acceptance(&p, schools, rules.still_tied),
        Mechanism::CityRule => return Ok(city_rule(&p, applicants, schools, rules)),
    };
    Ok(stable_result(&p, applicants, schools, rules, &placed))
}

/// Student-proposing deferred acceptance; returns the held proposal of each applicant.
fn deferred_acceptance(
    p: &Prepared,
    schools: &[School],
    still_tied: StillTied,
) -> Vec<Option<u32>> {
    let n = p.offsets.len() - 1;
    let mut next = vec![0u32; n];
    // Worst held proposal on top: (position, proposal).
    let mut held: Vec<BinaryHeap<(u32, u32)>> = vec![BinaryHeap::new(); schools.len()];
    // AdmitAll: proposals beyond the seats, tied with the worst held one.
    let mut over: Vec<Vec<u32>> = vec![Vec::new(); schools.len()];
    let mut free: Vec<u32> = (0..n as u32).rev().collect();
    let mut rejected: Vec<u32> = Vec::new();
    while let Some(a) = free.pop() {
        let f = p.offsets[a as usize] + next[a as usize];
        if f >= p.offsets[a as usize + 1] {
            continue; // every choice refused
        }
        let s = p.school[f as usize] as usize;
        let heap = &mut held[s];
        heap.push((p.pos[f as usize], f));
        if heap.len() > schools[s].seats as usize {
            let (_, w) = heap.pop().expect("over the seats, so not empty");
            match (still_tied, heap.peek()) {
                (StillTied::AdmitAll, Some(&(_, m)))
                    if p.class[m as usize] == p.class[w as usize] =>
                {
                    over[s].push(w);
                }
                (_, worst) => {
                    rejected.push(w);
                    if let Some(&(_, m)) = worst
                        && over[s]
                            .first()
                            .is_some_and(|&t| p.class[t as usize] != p.class[m as usize])
                    {
                        rejected.append(&mut over[s]);
                    }
                }
            }
            for w in rejected.drain(..) {
                let a = p.owner[w as usize];
                next[a as usize] += 1;
                free.push(a);
            }
        }
    }
    let mut placed = vec![None; n];
    for (heap, over) in held.iter().zip(&over) {
        for &f in heap.iter().map(|(_, f)| f).chain(over) {
            placed[p.owner[f as usize] as usize] = Some(f);
        }
    }
    placed
}

/// Cut-offs and reasons of a stable assignment: one effective cut-off per full school.
fn stable_result(
    p: &Prepared,
    applicants: &[Applicant],
    schools: &[School],
    rules: &Grade10Rules,
    placed: &[Option<u32>],
) -> Assignment {
    let ranks = rules.choice_premiums.len().min(rules.max_choices);
    let premiums = &rules.choice_premiums;
    let mut cut_offs: Vec<CutOffs> = schools
        .iter()
        .map(|s| CutOffs {
            seats: s.seats,
            admitted: 0,
            admitted_per_choice: vec![0; ranks],
            per_choice: vec![None; ranks],
        })
        .collect();
    // The worst admitted proposal of each school.
    let mut worst: Vec<Option<u32>> = vec![None; schools.len()];
    for &f in placed.iter().flatten() {
        let s = p.school[f as usize] as usize;
        cut_offs[s].admitted += 1;
        cut_offs[s].admitted_per_choice[usize::from(p.rank[f as usize])] += 1;
        if worst[s].is_none_or(|w| p.pos[w as usize] < p.pos[f as usize]) {
            worst[s] = Some(f);
        }
    }
    let threshold: Vec<Option<Points>> = (0..schools.len())
        .map(|s| {
            let c = &cut_offs[s];
            match worst[s] {
                Some(w) if c.admitted >= c.seats => {
                    let w = w as usize;
                    Some(effective(
                        &applicants[p.owner[w] as usize],
                        p.rank[w],
                        premiums,
                    ))
                }
                _ => None,
            }
        })
        .collect();
    for (s, c) in cut_offs.iter_mut().enumerate() {
        if let Some(t) = threshold[s] {
            for (r, cut) in c.per_choice.iter_mut().enumerate() {
                *cut = Some(t + premiums[r]);
            }
        }
    }
    let outcomes = applicants
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let start = p.offsets[i];
            let end = placed[i].unwrap_or(p.offsets[i + 1]);
            let rejections = (start..end)
                .map(|f| {
                    let (s, r) = (p.school[f as usize], p.rank[f as usize]);
                    let reason = match threshold[s as usize] {
                        _ if schools[s as usize].seats == 0 => RejectReason::NoSeats,
                        Some(t) => {
                            let cut_off = t + premiums[usize::from(r)];
                            if effective(a, r, premiums) < t {
                                RejectReason::BelowCutOff { cut_off }
                            } else {
                                RejectReason::LostTieBreak { cut_off }
                            }
                        }
                        // Unreachable for a stable assignment: a refused applicant means a full school.
                        None => RejectReason::NoSeatsLeft,
                    };
                    Rejection {
                        choice: r,
                        school: s,
                        reason,
                    }
                })
                .collect();
            Outcome {
                school: placed[i].map(|f| p.school[f as usize]),
                choice: placed[i].map(|f| p.rank[f as usize]),
                rejections,
            }
        })
        .collect();
    Assignment { outcomes, cut_offs }
}

/// The city rule: rounds by choice rank, admissions final, later choices above a floor.
fn city_rule(
    p: &Prepared,
    applicants: &[Applicant],
    schools: &[School],
    rules: &Grade10Rules,
) -> Assignment {
    let n = applicants.len();
    let ranks = rules.choice_premiums.len().min(rules.max_choices);
    let premiums = &rules.choice_premiums;
    let mut remaining: Vec<u32> = schools.iter().map(|s| s.seats).collect();
    let mut cut_offs: Vec<CutOffs> = schools
        .iter()
        .map(|s| CutOffs {
            seats: s.seats,
            admitted: 0,
            admitted_per_choice: vec![0; ranks],
            per_choice: vec![None; ranks],
        })
        .collect();
    let mut placed: Vec<Option<u32>> = vec![None; n];
    let mut reasons: Vec<Vec<Rejection>> = vec![Vec::new(); n];
    let mut buckets: Vec<Vec<u32>> = vec![Vec::new(); schools.len()];
    for r in 0..ranks {
        for (a, place) in placed.iter().enumerate() {
            let f = p.offsets[a] + r as u32;
            if place.is_none() && f < p.offsets[a + 1] {
                buckets[p.school[f as usize] as usize].push(f);
            }
        }
        for (s, bucket) in buckets.iter_mut().enumerate() {
            if bucket.is_empty() {
                continue;
            }
            // Never below an earlier choice's cut-off, nor below it plus the premium difference.
            let floor = (0..r)
                .filter_map(|q| {
                    cut_offs[s].per_choice[q].map(|c| c.max(c - premiums[q] + premiums[r]))
                })
                .max();
            let open_at_start = remaining[s];
            bucket.sort_unstable_by_key(|&f| p.pos[f as usize]);
            let mut last_class = None;
            for f in bucket.drain(..) {
                let a = p.owner[f as usize] as usize;
                let score = applicants[a].score;
                let reject = |reason| Rejection {
                    choice: r as u8,
                    school: s as u32,
                    reason,
                };
                if schools[s].seats == 0 {
                    reasons[a].push(reject(RejectReason::NoSeats));
                } else if let Some(floor) = floor.filter(|fl| score < *fl) {
                    reasons[a].push(reject(RejectReason::BelowFloor { floor }));
                } else if open_at_start == 0 {
                    reasons[a].push(reject(RejectReason::NoSeatsLeft));
                } else if remaining[s] > 0
                    || (rules.still_tied == StillTied::AdmitAll
                        && last_class == Some(p.class[f as usize]))
                {
                    remaining[s] = remaining[s].saturating_sub(1);
                    last_class = Some(p.class[f as usize]);
                    placed[a] = Some(f);
                    let c = &mut cut_offs[s];
                    c.admitted += 1;
                    c.admitted_per_choice[r] += 1;
                    // Sorted best first: the last admitted has the lowest score of this round.
                    c.per_choice[r] = Some(score);
                } else {
                    // Outranked within this round; the cut-off is known once the round ends.
                    reasons[a].push(reject(RejectReason::LostTieBreak {
                        cut_off: Points::ZERO,
                    }));
                }
            }
        }
        // Outranked in this round: the cut-off is the round's lowest admitted score.
        for (a, list) in reasons.iter_mut().enumerate() {
            if let Some(last) = list.last_mut()
                && usize::from(last.choice) == r
                && let RejectReason::LostTieBreak { .. } = last.reason
                && let Some(cut_off) = cut_offs[last.school as usize].per_choice[r]
            {
                last.reason = if applicants[a].score < cut_off {
                    RejectReason::BelowCutOff { cut_off }
                } else {
                    RejectReason::LostTieBreak { cut_off }
                };
            }
        }
    }
    let outcomes = placed
        .iter()
        .zip(reasons)
        .map(|(place, rejections)| Outcome {
            school: place.map(|f| p.school[f as usize]),
            choice: place.map(|f| p.rank[f as usize]),
            rejections,
        })
        .collect();
    Assignment { outcomes, cut_offs }
}
