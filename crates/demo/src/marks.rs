//! A realistic school year of marks for a generated school: every learner of every class (grades
//! 1–12) gets the gradebook rows of both semesters — scores, Đ/CĐ, HTT/HT/CHT ratings and
//! periodic tests, qualities and competences, conduct and absences, some teacher comments —
//! and the few who must re-sit or train in the summer get their summer results. Alongside the
//! rows come the *saves* that produced them, as teachers make them: per class × item × term one
//! save around mid-term and one at the end of the term, by the teacher assigned (the homeroom
//! teacher for conduct, absences and primary qualities), plus a few later corrections of a
//! mistyped mark. Replaying the saves in time order gives exactly the rows.
//!
//! Each learner has a latent ability (normal around 6.8, sd 1.3) and attitude; marks scatter
//! around the ability with a per-subject offset and per-mark noise, so results land as in real
//! schools: mostly Khá and Tốt, some Đạt, a few Chưa đạt and a few Xuất sắc. Pure and
//! deterministic: the same seed, school and [`SchoolData`] give the same marks.

use chrono::{DateTime, Days, NaiveDate, NaiveTime, TimeZone, Utc};
use rand::RngExt;
use truongso_domain::gradebook::compute::{
    GradingRules, Outcome, PlannedSubject, Row, learner_year,
};
use truongso_domain::gradebook::{
    Item, Slot, TRAITS, Term, Values, default_regular_count, items_for_grade, short_score,
};
use truongso_domain::grading::Score;
use truongso_domain::learners::EnrolmentStatus;
use truongso_domain::subjects::Assessment;

use crate::rng::{DemoRng, Stream, chance, rng_for};
use crate::{GenAssignment, SchoolData};

/// One gradebook row as it stands at the end of the year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkRow {
    /// Index into [`SchoolData::learners`].
    pub learner: usize,
    /// Index into [`SchoolData::classes`].
    pub class: usize,
    pub item: Item,
    pub term: Term,
    pub values: Values,
    /// Saves that changed the row (its version).
    pub saves: u32,
    /// Index into [`SchoolMarks::saves`] of the last save that changed it.
    pub last_save: usize,
}

/// A teacher saving part of a class's grid: one history event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkSave {
    pub at: DateTime<Utc>,
    /// Index into [`SchoolData::classes`].
    pub class: usize,
    /// Who saved: index into [`SchoolData::staff`].
    pub staff: usize,
    pub item: Item,
    pub term: Term,
    /// Set on corrections ("Sửa điểm nhập nhầm").
    pub reason: Option<&'static str>,
    /// The rows changed (index into [`SchoolMarks::rows`]) with all their cells after the save.
    pub rows: Vec<(usize, Values)>,
}

/// A school's year of marks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SchoolMarks {
    pub rows: Vec<MarkRow>,
    /// In time order (the order of the history).
    pub saves: Vec<MarkSave>,
}

impl SchoolData {
    /// The subjects a class records, as the gradebook decides it (`store::gradebook::
    /// class_subjects`): the grade's compulsory subjects and the electives assigned in the
    /// class; the programme's regular-assessment counts.
    pub fn class_subjects(
        &self,
        assignments: &[GenAssignment],
        class: usize,
    ) -> Vec<PlannedSubject> {
        let grade = self.classes[class].grade;
        let assigned: Vec<&str> = assignments
            .iter()
            .filter(|a| a.class == class)
            .map(|a| a.subject)
            .collect();
        items_for_grade(grade)
            .into_iter()
            .filter_map(|item| match item {
                Item::Subject(s) if s.is_compulsory_in(grade) || assigned.contains(&s.code) => {
                    Some(PlannedSubject {
                        item,
                        regular: default_regular_count(s.code, grade),
                    })
                }
                _ => None,
            })
            .collect()
    }

    /// The year of marks of this school (`school_ordinal` as in [`crate::Plan::generate_school`]).
    pub fn marks(&self, seed: u64, school_year_start: i32, school_ordinal: usize) -> SchoolMarks {
        let assignments = self.teaching_assignments();
        let mut out = SchoolMarks::default();
        let mut by_class: Vec<Vec<usize>> = vec![Vec::new(); self.classes.len()];
        for (i, l) in self.learners.iter().enumerate() {
            if matches!(
                l.status,
                EnrolmentStatus::Studying
                    | EnrolmentStatus::TransferredIn
                    | EnrolmentStatus::Repeating
            ) {
                by_class[l.class].push(i);
            }
        }
        let calendar = Calendar::new(school_year_start);
        let key =
            |kind: u64, index: usize| ((school_ordinal as u64) << 32) | (kind << 28) | index as u64;
        for (ci, class) in self.classes.iter().enumerate() {
            if class.grade == 0 || by_class[ci].is_empty() {
                continue;
            }
            let teacher = |code: &str| {
                assignments
                    .iter()
                    .find(|a| a.class == ci && a.subject == code)
                    .map_or(class.homeroom, |a| a.staff)
            };
            let mut class_gen = ClassGen {
                grade: class.grade,
                class: ci,
                subjects: self.class_subjects(&assignments, ci),
                rng: rng_for(seed, Stream::Marks, key(1, ci)),
                calendar: &calendar,
                out: &mut out,
            };
            let learners: Vec<(usize, Profile)> = by_class[ci]
                .iter()
                .map(|&li| {
                    (
                        li,
                        Profile::new(&mut rng_for(seed, Stream::Marks, key(2, li))),
                    )
                })
                .collect();
            class_gen.year(&learners, &teacher, class.homeroom, seed, |li| key(3, li));
        }
        // Time order; saves of one class × item × term were made in order, so a stable sort
        // keeps every row's saves in the order they were made.
        let mut order: Vec<usize> = (0..out.saves.len()).collect();
        order.sort_by_key(|&i| (out.saves[i].at, i));
        let mut position = vec![0; order.len()];
        for (new, &old) in order.iter().enumerate() {
            position[old] = new;
        }
        let mut saves: Vec<Option<MarkSave>> = out.saves.drain(..).map(Some).collect();
        out.saves = order
            .iter()
            .map(|&i| saves[i].take().expect("each once"))
            .collect();
        for r in &mut out.rows {
            r.last_save = position[r.last_save];
        }
        out
    }
}

/// A learner's latent traits.
#[derive(Debug, Clone, Copy)]
struct Profile {
    /// Around 6.8 (sd 1.3 above, 1.05 below), clamped to 1.5–9.9: where their marks scatter.
    ability: f64,
    /// Standard normal, correlated with ability: conduct, qualities, absences.
    attitude: f64,
    /// One in a few hundred misses most of the year (illness, family moving, dropping out).
    long_absence: bool,
}

impl Profile {
    fn new(rng: &mut DemoRng) -> Self {
        let z = normal(rng);
        Profile {
            // Normal-ish: the weak tail a little shorter than the strong one, as in schools
            // where the weakest have left or repeat.
            ability: (6.8 + if z < 0.0 { 1.05 } else { 1.3 } * z).clamp(1.5, 9.9),
            attitude: 0.45 * z + 0.89 * normal(rng),
            long_absence: chance(rng, 0.003),
        }
    }
}

/// A standard normal draw (Box–Muller).
fn normal(rng: &mut DemoRng) -> f64 {
    let u1: f64 = rng.random::<f64>().max(1e-12);
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// A mark as teachers give it: mostly whole, often a half, sometimes another tenth.
fn score_text(rng: &mut DemoRng, x: f64) -> String {
    let x = x.clamp(0.0, 10.0);
    let r: f64 = rng.random();
    let tenths = if r < 0.62 {
        (x.round() * 10.0) as u16
    } else if r < 0.9 {
        ((x * 2.0).round() * 5.0) as u16
    } else {
        (x * 10.0).round() as u16
    };
    short_score(Score::from_tenths(tenths.min(100)).expect("0..=100 tenths"))
}

fn pick<'a>(rng: &mut DemoRng, list: &[&'a str]) -> &'a str {
    list[rng.random_range(0..list.len())]
}

const GOOD: &[&str] = &[
    "Học tốt, tích cực phát biểu xây dựng bài.",
    "Nắm vững kiến thức, làm bài cẩn thận.",
    "Tiếp thu bài nhanh, có tinh thần tự học.",
    "Hoàn thành tốt các nhiệm vụ học tập.",
];
const FAIR: &[&str] = &[
    "Có tiến bộ, cần phát huy.",
    "Chăm chỉ, cần mạnh dạn phát biểu hơn.",
    "Nắm được kiến thức cơ bản.",
    "Cần rèn thêm kĩ năng trình bày.",
];
const WEAK: &[&str] = &[
    "Cần cố gắng hơn ở học kì sau.",
    "Tiếp thu còn chậm, cần luyện tập thêm.",
    "Chưa tập trung trong giờ học, cần cố gắng.",
    "Cần ôn lại kiến thức cơ bản.",
];
const CONDUCT: &[&str] = &[
    "Ngoan, lễ phép, hoà đồng với bạn bè.",
    "Chấp hành tốt nội quy lớp học.",
    "Tích cực tham gia các hoạt động của lớp.",
    "Cần đi học đúng giờ hơn.",
];

/// When teachers save, by term: windows of days (from, days) after which a save is made.
struct Calendar {
    start: i32,
}

#[derive(Clone, Copy)]
enum Moment {
    /// Around the mid-term assessment.
    Mid,
    /// End-of-term marks.
    End,
    /// The homeroom teacher's end-of-term entries (conduct, absences), after the subjects'.
    Homeroom,
    /// Summer re-tests and re-assessments.
    Summer,
}

impl Calendar {
    fn new(start: i32) -> Self {
        Calendar { start }
    }

    fn window(&self, term: Term, moment: Moment) -> (NaiveDate, u64) {
        let d = |y: i32, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("a fixed date");
        let (y, y1) = (self.start, self.start + 1);
        match (term, moment) {
            (_, Moment::Summer) | (Term::Summer, _) => (d(y1, 7, 8), 17),
            (Term::First, Moment::Mid) => (d(y, 10, 25), 18),
            (Term::First, Moment::End) => (d(y, 12, 18), 21),
            (Term::First, Moment::Homeroom) => (d(y1, 1, 9), 6),
            (Term::Second, Moment::Mid) => (d(y1, 3, 10), 18),
            (Term::Second, Moment::End) => (d(y1, 5, 4), 16),
            (Term::Second, Moment::Homeroom) => (d(y1, 5, 21), 7),
        }
    }

    /// A moment in the window: a school-day afternoon or evening, Vietnam time (UTC+7).
    fn at(&self, rng: &mut DemoRng, term: Term, moment: Moment) -> DateTime<Utc> {
        let (from, days) = self.window(term, moment);
        let day = from + Days::new(rng.random_range(0..days));
        let hour = if chance(rng, 0.6) {
            rng.random_range(19..23)
        } else {
            rng.random_range(13..18)
        };
        let time = NaiveTime::from_hms_opt(hour, rng.random_range(0..60), rng.random_range(0..60))
            .expect("a valid time");
        Utc.from_utc_datetime(&day.and_time(time)) - chrono::Duration::hours(7)
    }
}

/// The values of one learner's row: the slots a save sets, in the order they are entered.
struct Entry {
    learner: usize,
    item: Item,
    term: Term,
    /// The final values.
    values: Values,
}

struct ClassGen<'a> {
    grade: u8,
    class: usize,
    subjects: Vec<PlannedSubject>,
    rng: DemoRng,
    calendar: &'a Calendar,
    out: &'a mut SchoolMarks,
}

impl ClassGen<'_> {
    /// Both semesters of every learner of the class, then the summer.
    fn year(
        &mut self,
        learners: &[(usize, Profile)],
        teacher: &dyn Fn(&str) -> usize,
        homeroom: usize,
        seed: u64,
        learner_key: impl Fn(usize) -> u64,
    ) {
        let primary = self.grade <= 5;
        let mut items: Vec<Item> = self.subjects.iter().map(|p| p.item).collect();
        items.extend(
            items_for_grade(self.grade)
                .into_iter()
                .filter(|i| i.is_homeroom_item()),
        );
        // Every learner's values, item by item and term by term.
        let mut entries: Vec<Entry> = Vec::new();
        let mut summer: Vec<Entry> = Vec::new();
        for &(li, p) in learners {
            let mut rng = rng_for(seed, Stream::Marks, learner_key(li));
            let first = entries.len();
            let offsets: Vec<f64> = items.iter().map(|_| 0.7 * normal(&mut rng)).collect();
            let trait_offsets: Vec<f64> = TRAITS.iter().map(|_| 0.5 * normal(&mut rng)).collect();
            for term in [Term::First, Term::Second] {
                let (absent_i, absent_ii) = absences(&mut rng, p);
                for (k, item) in items.iter().enumerate() {
                    let values = match *item {
                        Item::Subject(_) => {
                            let planned = self.subjects[k];
                            self.subject_values(&mut rng, p, offsets[k], planned, term)
                        }
                        Item::Conduct => conduct_values(&mut rng, p, term),
                        Item::Absences => {
                            let n = if term == Term::First {
                                absent_i
                            } else {
                                absent_ii
                            };
                            one(Slot::End, n.to_string())
                        }
                        Item::Trait(t) => {
                            let ti = TRAITS.iter().position(|x| x.code == t.code).unwrap_or(0);
                            trait_values(&mut rng, p, trait_offsets[ti])
                        }
                    };
                    entries.push(Entry {
                        learner: li,
                        item: *item,
                        term,
                        values,
                    });
                }
            }
            // Summer: re-tests and conduct training for those the year leaves short.
            let rules = GradingRules::default();
            let mut rows: Vec<Row> = entries[first..]
                .iter()
                .map(|e| Row {
                    item: e.item,
                    term: e.term,
                    values: e.values.clone(),
                })
                .collect();
            for _ in 0..2 {
                let y = learner_year(self.grade, &self.subjects, &rows, &rules);
                let mut added = Vec::new();
                match y.outcome {
                    Some(Outcome::SummerTraining) => {
                        let level =
                            pick(&mut rng, &["dat", "dat", "dat", "dat", "kha", "chua_dat"]);
                        added.push((Item::Conduct, one(Slot::End, level.into())));
                    }
                    Some(Outcome::Retest) => {
                        for code in &y.retest_subjects {
                            let Some(item) = Item::from_code(code) else {
                                continue;
                            };
                            let value = match item {
                                _ if primary => {
                                    if chance(&mut rng, 0.85) { "ht" } else { "cht" }.to_string()
                                }
                                Item::Subject(s)
                                    if s.assessment_in(self.grade) == Assessment::Score =>
                                {
                                    let x = if chance(&mut rng, 0.8) {
                                        5.0 + 2.5 * rng.random::<f64>()
                                    } else {
                                        2.5 + 2.4 * rng.random::<f64>()
                                    };
                                    score_text(&mut rng, x)
                                }
                                _ => if chance(&mut rng, 0.85) {
                                    "dat"
                                } else {
                                    "chua_dat"
                                }
                                .to_string(),
                            };
                            added.push((item, one(Slot::End, value)));
                        }
                    }
                    _ => {}
                }
                if added.is_empty() {
                    break;
                }
                for (item, values) in added {
                    rows.push(Row {
                        item,
                        term: Term::Summer,
                        values: values.clone(),
                    });
                    summer.push(Entry {
                        learner: li,
                        item,
                        term: Term::Summer,
                        values,
                    });
                }
            }
        }
        // The saves: per item and term, mid-term and end-of-term, grouped over the class.
        for term in [Term::First, Term::Second] {
            for item in &items {
                let staff = match item {
                    Item::Subject(s) => teacher(s.code),
                    _ => homeroom,
                };
                let rows: Vec<&Entry> = entries
                    .iter()
                    .filter(|e| e.term == term && e.item == *item)
                    .collect();
                self.saves_of(*item, term, staff, &rows, primary);
            }
        }
        let mut summer_items: Vec<Item> = Vec::new();
        for e in &summer {
            if !summer_items.contains(&e.item) {
                summer_items.push(e.item);
            }
        }
        for item in summer_items {
            let staff = match item {
                Item::Subject(s) => teacher(s.code),
                _ => homeroom,
            };
            let rows: Vec<&Entry> = summer.iter().filter(|e| e.item == item).collect();
            self.saves_of(item, Term::Summer, staff, &rows, primary);
        }
    }

    /// The saves that enter these rows (one class × item × term): which slots each save sets,
    /// and now and then a mistyped mark corrected a few days later.
    fn saves_of(&mut self, item: Item, term: Term, staff: usize, rows: &[&Entry], primary: bool) {
        if rows.is_empty() {
            return;
        }
        let regular = self
            .subjects
            .iter()
            .find(|p| p.item == item)
            .map_or(2, |p| usize::from(p.regular.clamp(2, 4)));
        // Slots entered at mid-term; the rest at the end.
        let mid_slots: Vec<Slot> = match item {
            _ if term == Term::Summer => vec![],
            Item::Subject(_) if primary => vec![Slot::Mid, Slot::TestMid],
            Item::Subject(_) => {
                let mut v = Slot::REGULAR[..regular.div_ceil(2)].to_vec();
                v.push(Slot::Mid);
                v
            }
            Item::Trait(_) => vec![Slot::Mid],
            Item::Conduct | Item::Absences => vec![],
        };
        let moment_end = match item {
            _ if term == Term::Summer => Moment::Summer,
            Item::Subject(_) => Moment::End,
            _ => Moment::Homeroom,
        };
        let base = self.out.rows.len();
        for e in rows {
            self.out.rows.push(MarkRow {
                learner: e.learner,
                class: self.class,
                item,
                term,
                values: e.values.clone(),
                saves: 0,
                last_save: 0,
            });
        }
        let mut state: Vec<Values> = vec![Values::default(); rows.len()];
        // A mistyped mark in about one grid in twelve, corrected a few days after the end save.
        let typo = (matches!(item, Item::Subject(_))
            && term != Term::Summer
            && chance(&mut self.rng, 1.0 / 12.0))
        .then(|| {
            let r = self.rng.random_range(0..rows.len());
            let filled: Vec<Slot> = Slot::ALL
                .into_iter()
                .filter(|s| *s != Slot::Comment && rows[r].values.get(*s).is_some())
                .collect();
            (!filled.is_empty()).then(|| (r, filled[self.rng.random_range(0..filled.len())]))
        })
        .flatten();
        let mut moments: Vec<(Moment, Vec<Slot>)> = Vec::new();
        if !mid_slots.is_empty() {
            moments.push((Moment::Mid, mid_slots.clone()));
        }
        let end_slots: Vec<Slot> = Slot::ALL
            .into_iter()
            .filter(|s| !mid_slots.contains(s))
            .collect();
        moments.push((moment_end, end_slots));
        let mut last_at = None;
        for (moment, slots) in moments {
            let at = self.calendar.at(&mut self.rng, term, moment);
            let save = self.out.saves.len();
            let mut changed = Vec::new();
            for (r, e) in rows.iter().enumerate() {
                let before = state[r].clone();
                for s in &slots {
                    let mut v = e.values.get(*s).map(str::to_string);
                    if typo == Some((r, *s)) {
                        v = v.map(|v| mistype(&mut self.rng, &v));
                    }
                    if v.is_some() {
                        state[r].set(*s, v);
                    }
                }
                if state[r] != before {
                    changed.push((base + r, state[r].clone()));
                    self.out.rows[base + r].saves += 1;
                    self.out.rows[base + r].last_save = save;
                }
            }
            if !changed.is_empty() {
                self.out.saves.push(MarkSave {
                    at,
                    class: self.class,
                    staff,
                    item,
                    term,
                    reason: None,
                    rows: changed,
                });
                last_at = Some(at);
            }
        }
        if let (Some((r, slot)), Some(last)) = (typo, last_at) {
            let final_value = rows[r].values.get(slot).map(str::to_string);
            if state[r].get(slot).map(str::to_string) != final_value {
                state[r].set(slot, final_value);
                let at = last + chrono::Duration::hours(self.rng.random_range(20..200));
                let save = self.out.saves.len();
                self.out.rows[base + r].saves += 1;
                self.out.rows[base + r].last_save = save;
                self.out.saves.push(MarkSave {
                    at,
                    class: self.class,
                    staff,
                    item,
                    term,
                    reason: Some(pick(
                        &mut self.rng,
                        &[
                            "Sửa điểm nhập nhầm",
                            "Nhập nhầm cột điểm, sửa lại theo bài kiểm tra",
                            "Chấm phúc khảo bài kiểm tra",
                        ],
                    )),
                    rows: vec![(base + r, state[r].clone())],
                });
            }
        }
        debug_assert!(
            state.iter().zip(rows).all(|(s, e)| *s == e.values),
            "the saves give the final rows"
        );
    }

    fn subject_values(
        &mut self,
        rng: &mut DemoRng,
        p: Profile,
        offset: f64,
        planned: PlannedSubject,
        term: Term,
    ) -> Values {
        let Item::Subject(subject) = planned.item else {
            return Values::default();
        };
        let drift = if term == Term::Second { 0.1 } else { 0.0 };
        let mu = p.ability + offset + drift;
        let mut v = Values::default();
        if self.grade <= 5 {
            // Circular 27: ratings consistent with the ability, tests 1–10.
            // Primary marks run higher and closer together than secondary ones.
            let mu = p.ability + 1.3 + 0.6 * offset + drift;
            let rating = |rng: &mut DemoRng| {
                let r = mu + 0.4 * normal(rng);
                if r >= 8.1 {
                    "htt"
                } else if r >= 4.5 {
                    "ht"
                } else {
                    "cht"
                }
            };
            let test = |rng: &mut DemoRng| {
                // A learner who completes the subject rarely fails its test.
                let floor = if mu >= 5.5 { 5 } else { 1 };
                ((mu - 0.4 + 0.8 * normal(rng)).round() as i64)
                    .clamp(floor, 10)
                    .to_string()
            };
            for (slot, _) in
                truongso_domain::gradebook::slots_of(planned.item, self.grade, planned.regular)
            {
                let value = match slot {
                    Slot::Mid | Slot::End => Some(rating(rng).to_string()),
                    Slot::TestMid | Slot::TestEnd => Some(test(rng)),
                    _ => None,
                };
                v.set(slot, value);
            }
            if let Some(c) = comment(rng, mu, 0.2) {
                v.set(Slot::Comment, Some(c));
            }
            return v;
        }
        match subject.assessment_in(self.grade) {
            Assessment::Score => {
                let regular = usize::from(planned.regular.clamp(2, 4));
                for s in &Slot::REGULAR[..regular] {
                    let x = mu + 0.6 + 0.9 * normal(rng);
                    v.set(*s, Some(score_text(rng, x)));
                }
                // Teachers' marks run a little above the latent ability.
                let x = mu + 0.3 + 0.9 * normal(rng);
                v.set(Slot::Mid, Some(score_text(rng, x)));
                let x = mu + 0.2 + 0.9 * normal(rng);
                v.set(Slot::End, Some(score_text(rng, x)));
            }
            Assessment::Comment => {
                let p_fail = if mu < 3.5 {
                    0.25
                } else if mu < 4.5 {
                    0.06
                } else {
                    0.004
                };
                for s in [Slot::R1, Slot::R2, Slot::Mid, Slot::End] {
                    let fail = chance(rng, p_fail);
                    v.set(s, Some(if fail { "chua_dat" } else { "dat" }.into()));
                }
            }
        }
        if let Some(c) = comment(rng, mu, 0.15) {
            v.set(Slot::Comment, Some(c));
        }
        v
    }
}

fn one(slot: Slot, value: String) -> Values {
    let mut v = Values::default();
    v.set(slot, Some(value));
    v
}

/// A teacher's remark on some rows, fitting the learner's level.
fn comment(rng: &mut DemoRng, mu: f64, p: f64) -> Option<String> {
    if !chance(rng, p) {
        return None;
    }
    let list = if mu >= 7.8 {
        GOOD
    } else if mu >= 5.5 {
        FAIR
    } else {
        WEAK
    };
    Some(pick(rng, list).to_string())
}

/// Conduct of a semester, the homeroom teacher's judgement: mostly Tốt or Khá.
fn conduct_values(rng: &mut DemoRng, p: Profile, term: Term) -> Values {
    let x = p.attitude + 0.45 * normal(rng) + if term == Term::Second { 0.1 } else { 0.0 };
    let level = if x > -0.45 {
        "tot"
    } else if x > -1.4 {
        "kha"
    } else if x > -2.3 {
        "dat"
    } else {
        "chua_dat"
    };
    let mut v = one(Slot::End, level.into());
    if chance(rng, 0.2) {
        v.set(Slot::Comment, Some(pick(rng, CONDUCT).to_string()));
    }
    v
}

/// A quality or competence: mostly Tốt, some Đạt, a few Cần cố gắng.
fn trait_values(rng: &mut DemoRng, p: Profile, offset: f64) -> Values {
    let mut v = Values::default();
    for s in [Slot::Mid, Slot::End] {
        let x = p.attitude + 0.6 * offset + 0.25 * normal(rng);
        let r = if x > -0.9 {
            "tot"
        } else if x > -2.8 {
            "dat"
        } else {
            "can_co_gang"
        };
        v.set(s, Some(r.into()));
    }
    v
}

/// Sessions absent in semester I and II: mostly 0–5; a long absence goes past 45 in the year.
fn absences(rng: &mut DemoRng, p: Profile) -> (u32, u32) {
    if p.long_absence {
        return (rng.random_range(22..40), rng.random_range(24..45));
    }
    let lambda = 1.4 + (-p.attitude).max(0.0) * 1.5;
    let draw = |rng: &mut DemoRng| {
        let u: f64 = rng.random::<f64>().max(1e-9);
        ((-u.ln()) * lambda).floor().min(30.0) as u32
    };
    (draw(rng), draw(rng))
}

/// A plausible typing mistake for a stored value.
fn mistype(rng: &mut DemoRng, v: &str) -> String {
    if let Some(s) = Score::parse(v) {
        let t = i32::from(s.tenths());
        let shifted = (t + [-30, -20, -10, 10, 20][rng.random_range(0..5)]).clamp(0, 100);
        let shifted = if shifted == t {
            (t + 50) % 100
        } else {
            shifted
        };
        return short_score(Score::from_tenths(shifted as u16).expect("0..=100"));
    }
    if let Ok(n) = v.parse::<u8>() {
        return if n >= 6 { n - 3 } else { n + 3 }.to_string();
    }
    match v {
        "htt" => "ht".into(),
        "ht" => "htt".into(),
        "dat" => "chua_dat".into(),
        _ => "dat".into(),
    }
}
