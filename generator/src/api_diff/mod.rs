//! The API change report: what a regenerated crate changes for its callers, in the spec's terms.
//!
//! [`surface`] reads the public API of a generated crate from its files with `syn` (so it works
//! on a checked-in crate whose old spec is gone); [`diff`] compares two surfaces and classifies
//! each change by the rules of the README's "Safe to regenerate" table: what a call site that
//! compiled before still compiles against is compatible, everything else breaking. The verdict
//! is the semver bump the changes need; [`Report::markdown`] is the text a reviewer pastes into
//! a pull request.

mod surface;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

pub use surface::{Field, Operation, Setter, Surface, TypeItem, TypeKind, Variant, surface};

/// How a change affects callers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Impact {
    /// A call site that compiled before may not compile.
    Breaking,
    /// Every call site that compiled before still compiles.
    Compatible,
    /// Only documentation changed.
    Docs,
}

/// The semver bump a set of changes needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    Major,
    Minor,
    Patch,
    /// The public API is unchanged.
    None,
}

impl Verdict {
    /// `major`, `minor`, `patch` or `none`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Major => "major",
            Verdict::Minor => "minor",
            Verdict::Patch => "patch",
            Verdict::None => "none",
        }
    }
}

/// One change, about one operation or schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub impact: Impact,
    /// What changed: "`PATCH /calls/{call_id}` (`update_call`)" or "schema `CallResponse`".
    pub subject: String,
    /// How, in the spec's terms: "field `to_number` removed".
    pub what: String,
}

/// Every change between two surfaces of one crate, in report order: the client builder, then
/// operations, then schemas.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub changes: Vec<Change>,
}

impl Report {
    /// The bump the changes need: major for any breaking change, minor for any compatible one,
    /// patch for docs only.
    pub fn verdict(&self) -> Verdict {
        match self.changes.iter().map(|c| c.impact).min() {
            Some(Impact::Breaking) => Verdict::Major,
            Some(Impact::Compatible) => Verdict::Minor,
            Some(Impact::Docs) => Verdict::Patch,
            None => Verdict::None,
        }
    }

    fn count(&self, impact: Impact) -> usize {
        self.changes.iter().filter(|c| c.impact == impact).count()
    }

    /// The report as Markdown: a heading with the verdict, then one list per impact.
    pub fn markdown(&self, crate_name: &str) -> String {
        let mut out = format!("## API changes in `{crate_name}`: {}\n\n", self.verdict().as_str());
        if self.changes.is_empty() {
            out.push_str("No change to the public API.\n");
            return out;
        }
        let _ = writeln!(
            out,
            "Semver verdict: **{}** ({} breaking, {} compatible, {} docs only), by the rules of the README's \
             \"Safe to regenerate\" table.",
            self.verdict().as_str(),
            self.count(Impact::Breaking),
            self.count(Impact::Compatible),
            self.count(Impact::Docs),
        );
        for (impact, heading) in
            [(Impact::Breaking, "Breaking"), (Impact::Compatible, "Compatible"), (Impact::Docs, "Docs only")]
        {
            let changes: Vec<&Change> = self.changes.iter().filter(|c| c.impact == impact).collect();
            if changes.is_empty() {
                continue;
            }
            let _ = write!(out, "\n### {heading}\n\n");
            for change in changes {
                let _ = writeln!(out, "- {}: {}", change.subject, change.what);
            }
        }
        out
    }
}

/// Compares the surface of the checked-in crate (`old`) with the regenerated one (`new`).
pub fn diff(old: &Surface, new: &Surface) -> Report {
    let mut report = Differ { new, changes: Vec::new() };
    report.credentials(old);
    report.operations(old);
    report.types(old);
    Report { changes: report.changes }
}

struct Differ<'a> {
    new: &'a Surface,
    changes: Vec<Change>,
}

impl Differ<'_> {
    fn push(&mut self, impact: Impact, subject: &str, what: String) {
        self.changes.push(Change { impact, subject: subject.to_owned(), what });
    }

    /// Security schemes, through the builder's credential methods.
    fn credentials(&mut self, old: &Surface) {
        for name in old.credentials.iter().filter(|name| !self.new.credentials.contains(name)) {
            let what = format!("credential method `{name}` removed (its security scheme is gone or renamed)");
            self.push(Impact::Breaking, "the client builder", what);
        }
        for name in self.new.credentials.iter().filter(|name| !old.credentials.contains(name)) {
            let what = format!("credential method `{name}` added (a new security scheme)");
            self.push(Impact::Compatible, "the client builder", what);
        }
    }

    fn operations(&mut self, old: &Surface) {
        let new = self.new;
        for (name, op) in &old.operations {
            let subject = op_subject(name, op);
            match new.operations.get(name) {
                None => self.push(Impact::Breaking, &subject, "operation removed".to_owned()),
                Some(now) => self.operation(&subject, op, now),
            }
        }
        for (name, op) in &new.operations {
            if !old.operations.contains_key(name) {
                self.push(Impact::Compatible, &op_subject(name, op), "operation added".to_owned());
            }
        }
    }

    fn operation(&mut self, subject: &str, old: &Operation, new: &Operation) {
        if old.route != new.route {
            let what = format!(
                "route changed from `{}` to `{}` (calls compile; requests go to the new route)",
                old.route, new.route
            );
            self.push(Impact::Compatible, subject, what);
        }
        self.arguments(subject, old, new);
        self.setters(subject, old, new);
        if old.success != new.success {
            let what = format!("success body changed from `{}` to `{}`", old.success, new.success);
            self.push(Impact::Breaking, subject, what);
        }
        if old.error != new.error {
            let what = format!("error enum changed from `{}` to `{}`", old.error, new.error);
            self.push(Impact::Breaking, subject, what);
        }
        self.statuses(subject, old, new);
        if old.docs != new.docs {
            self.push(Impact::Docs, subject, "description or examples changed".to_owned());
        }
    }

    /// Required arguments: any change breaks a call.
    fn arguments(&mut self, subject: &str, old: &Operation, new: &Operation) {
        let before: BTreeMap<&str, &str> = old.args.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
        let after: BTreeMap<&str, &str> = new.args.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
        for (name, ty) in &before {
            match after.get(name) {
                None if new.setters.contains_key(*name) => self.push(
                    Impact::Breaking,
                    subject,
                    format!("{} made optional (no longer an argument)", arg_label(name)),
                ),
                None => self.push(Impact::Breaking, subject, format!("required {} removed", arg_label(name))),
                Some(now) if now != ty => {
                    let what = format!("{} retyped from `{ty}` to `{now}`", arg_label(name));
                    self.push(Impact::Breaking, subject, what);
                }
                Some(_) => {}
            }
        }
        for name in after.keys().filter(|n| !before.contains_key(*n)) {
            let what = if old.setters.contains_key(*name) {
                format!("{} made required (now an argument)", arg_label(name))
            } else {
                format!("required {} added", arg_label(name))
            };
            self.push(Impact::Breaking, subject, what);
        }
        let order = |args: &[(String, String)], other: &BTreeMap<&str, &str>| -> Vec<String> {
            args.iter().filter(|(n, _)| other.contains_key(n.as_str())).map(|(n, _)| n.clone()).collect()
        };
        if order(&old.args, &after) != order(&new.args, &before) {
            self.push(Impact::Breaking, subject, "required arguments reordered".to_owned());
        }
    }

    /// Optional inputs: a new setter is compatible, a removed or retyped one breaks.
    fn setters(&mut self, subject: &str, old: &Operation, new: &Operation) {
        let args: BTreeSet<&str> = new.args.iter().map(|(n, _)| n.as_str()).collect();
        for (name, setter) in &old.setters {
            match new.setters.get(name) {
                None if args.contains(name.as_str()) => {} // reported as made required
                None => self.push(Impact::Breaking, subject, format!("optional {} removed", setter.label)),
                Some(now) if now.ty != setter.ty => {
                    let what = format!("optional {} retyped from `{}` to `{}`", setter.label, setter.ty, now.ty);
                    self.push(Impact::Breaking, subject, what);
                }
                Some(_) => {}
            }
        }
        let before: BTreeSet<&str> = old.args.iter().map(|(n, _)| n.as_str()).collect();
        for (name, setter) in &new.setters {
            if !old.setters.contains_key(name) && !before.contains(name.as_str()) {
                self.push(Impact::Compatible, subject, format!("optional {} added", setter.label));
            }
        }
    }

    /// Documented statuses, compared through the error enum's variants.
    fn statuses(&mut self, subject: &str, old: &Operation, new: &Operation) {
        let error_enum = self.new.types.get(&new.error);
        let open = error_enum.is_none_or(|e| e.non_exhaustive);
        for (status, variant) in &old.statuses {
            match (variant, new.statuses.get(status)) {
                (Some(_), None | Some(None)) => {
                    self.push(Impact::Breaking, subject, format!("error status {status} removed"))
                }
                (None, None) => self.push(Impact::Compatible, subject, format!("success status {status} removed")),
                _ => {}
            }
        }
        for (status, variant) in &new.statuses {
            match (old.statuses.get(status), variant) {
                (None | Some(None), Some(name)) => {
                    let impact = if open { Impact::Compatible } else { Impact::Breaking };
                    self.push(impact, subject, format!("error status {status} added (`{}::{name}`)", new.error));
                }
                (None, None) => self.push(Impact::Compatible, subject, format!("success status {status} added")),
                _ => {}
            }
        }
    }

    fn types(&mut self, old: &Surface) {
        let new = self.new;
        // Error enums are compared by status, under their operation.
        let errors: BTreeSet<&str> =
            old.operations.values().chain(new.operations.values()).map(|op| op.error.as_str()).collect();
        for (name, ty) in old.types.iter().filter(|(name, _)| !errors.contains(name.as_str())) {
            let subject = format!("schema `{name}`");
            match new.types.get(name) {
                None => self.push(Impact::Breaking, &subject, "removed".to_owned()),
                Some(now) => self.type_item(&subject, ty, now),
            }
        }
        for name in new.types.keys().filter(|name| !errors.contains(name.as_str())) {
            if !old.types.contains_key(name) {
                self.push(Impact::Compatible, &format!("schema `{name}`"), "added".to_owned());
            }
        }
        // An error variant's payload is the body of its status.
        for (op_name, op) in &new.operations {
            let Some(before) = old.operations.get(op_name) else { continue };
            let subject = op_subject(op_name, op);
            for (status, variant) in &op.statuses {
                let (Some(variant), Some(Some(old_variant))) = (variant, before.statuses.get(status)) else { continue };
                let body = |s: &Surface, e: &str, v: &str| payload(s, e, v);
                let (was, now) = (body(old, &before.error, old_variant), body(new, &op.error, variant));
                if was != now {
                    let what = format!(
                        "error status {status} body changed from `{}` to `{}`",
                        was.unwrap_or_default(),
                        now.unwrap_or_default()
                    );
                    self.push(Impact::Breaking, &subject, what);
                }
            }
        }
    }

    fn type_item(&mut self, subject: &str, old: &TypeItem, new: &TypeItem) {
        if old.non_exhaustive != new.non_exhaustive {
            let what = if new.non_exhaustive { "now `#[non_exhaustive]`" } else { "no longer `#[non_exhaustive]`" };
            self.push(Impact::Breaking, subject, what.to_owned());
        }
        match (&old.kind, &new.kind) {
            (TypeKind::Struct(a), TypeKind::Struct(b)) => self.fields(subject, a, b, old, new),
            (TypeKind::Enum(a), TypeKind::Enum(b)) => self.variants(subject, a, b, new.non_exhaustive),
            (TypeKind::Alias(a), TypeKind::Alias(b)) if a != b => {
                self.push(Impact::Breaking, subject, format!("retyped from `{a}` to `{b}`"))
            }
            (TypeKind::Alias(_), TypeKind::Alias(_)) => {}
            (a, b) => {
                let what = format!("changed from {} to {}", kind_name(a), kind_name(b));
                self.push(Impact::Breaking, subject, what);
            }
        }
        if old.docs != new.docs {
            self.push(Impact::Docs, subject, "description or examples changed".to_owned());
        }
    }

    fn fields(
        &mut self,
        subject: &str,
        a: &BTreeMap<String, Field>,
        b: &BTreeMap<String, Field>,
        old: &TypeItem,
        new: &TypeItem,
    ) {
        let takes =
            |item: &TypeItem, rust: &str| item.constructor.as_ref().is_some_and(|c| c.iter().any(|(n, _)| n == rust));
        for (wire, field) in a {
            let Some(now) = b.get(wire) else {
                self.push(Impact::Breaking, subject, format!("field `{wire}` removed"));
                continue;
            };
            if now.rust != field.rust {
                let what = format!("field `{wire}` renamed in Rust from `{}` to `{}`", field.rust, now.rust);
                self.push(Impact::Breaking, subject, what);
            }
            if now.ty != field.ty {
                let what = match (field.required, now.required) {
                    (false, true) => format!("field `{wire}` made required (`{}` to `{}`)", field.ty, now.ty),
                    (true, false) => format!("field `{wire}` made optional (`{}` to `{}`)", field.ty, now.ty),
                    _ => format!("field `{wire}` retyped from `{}` to `{}`", field.ty, now.ty),
                };
                self.push(Impact::Breaking, subject, what);
            } else if takes(new, &now.rust) != takes(old, &field.rust) {
                self.push(Impact::Breaking, subject, format!("constructor `new` changed for field `{wire}`"));
            }
            if now.docs != field.docs {
                self.push(Impact::Docs, subject, format!("field `{wire}`: description or example changed"));
            }
        }
        for (wire, field) in b.iter().filter(|(wire, _)| !a.contains_key(*wire)) {
            let kind = if field.required { "required" } else { "optional" };
            let (impact, why) = if takes(new, &field.rust) {
                (Impact::Breaking, " (`new` now takes it)")
            } else if !new.non_exhaustive {
                (Impact::Breaking, " (the struct is not `#[non_exhaustive]`)")
            } else {
                (Impact::Compatible, "")
            };
            self.push(impact, subject, format!("{kind} field `{wire}` added{why}"));
        }
    }

    fn variants(&mut self, subject: &str, a: &[Variant], b: &[Variant], open: bool) {
        let key = |v: &Variant| v.wire.clone().unwrap_or_else(|| v.name.clone());
        let label = |v: &Variant| match &v.wire {
            Some(wire) => format!("enum value `{wire}`"),
            None => format!("variant `{}`", v.name),
        };
        for variant in a {
            match b.iter().find(|v| key(v) == key(variant)) {
                None => self.push(Impact::Breaking, subject, format!("{} removed", label(variant))),
                Some(now) if now.payload != variant.payload || now.name != variant.name => {
                    let what = format!(
                        "{} changed from `{}` to `{}`",
                        label(variant),
                        show_variant(variant),
                        show_variant(now)
                    );
                    self.push(Impact::Breaking, subject, what);
                }
                Some(_) => {}
            }
        }
        for variant in b.iter().filter(|v| !a.iter().any(|w| key(w) == key(v))) {
            let (impact, why) = if open {
                (Impact::Compatible, "")
            } else {
                (Impact::Breaking, " (the enum is not `#[non_exhaustive]`)")
            };
            self.push(impact, subject, format!("{} added{why}", label(variant)));
        }
    }
}

fn op_subject(name: &str, op: &Operation) -> String {
    if op.route == name { format!("operation `{name}`") } else { format!("`{}` (`{name}`)", op.route) }
}

fn arg_label(name: &str) -> String {
    if name == "body" { "request body".to_owned() } else { format!("parameter `{name}`") }
}

fn kind_name(kind: &TypeKind) -> &'static str {
    match kind {
        TypeKind::Struct(_) => "a struct",
        TypeKind::Enum(_) => "an enum",
        TypeKind::Alias(_) => "an alias",
    }
}

fn show_variant(v: &Variant) -> String {
    match &v.payload {
        Some(payload) => format!("{}({payload})", v.name),
        None => v.name.clone(),
    }
}

/// The payload of variant `variant` of enum `error` in `surface`.
fn payload(surface: &Surface, error: &str, variant: &str) -> Option<String> {
    match &surface.types.get(error)?.kind {
        TypeKind::Enum(variants) => variants.iter().find(|v| v.name == variant)?.payload.clone(),
        _ => None,
    }
}
