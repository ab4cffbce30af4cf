//! Pagination: which list operations page, and how. An operation is recognised only on clear
//! evidence; anything ambiguous stays a plain call (no warning: most operations do not page).
//!
//! A candidate is a `GET` without a request body whose one success body is JSON: an array (the
//! items), or an object with exactly one array field, or with several of which exactly one has
//! a conventional items name (`data`, `items`, `results`, `records`, `entries`, `elements`).
//! Its shape is, in this order of preference:
//!
//! 1. **cursor**: exactly one string field in the body (at the top, or one level down in
//!    `pagination`, `paging`, `meta`, `page_info`, `cursors` or `links`) named
//!    `next_cursor`, `next_page_token`, `next_token` or `next_page_cursor` (in any case style),
//!    and exactly one string query parameter named `cursor`, `after`, `starting_after`,
//!    `page_token`, `page_cursor`, `next_token`, `continuation_token` or the cursor field's own
//!    name; a boolean `has_more` (`hasMore`, `has_next_page`) beside the cursor or at the top
//!    ends the listing too;
//! 2. **next-url**: exactly one string field named `next` (at the top or in one of those
//!    objects), `next_url`, `next_link` or `next_page_url`: a link to the next page;
//! 3. **link-header**: a success response declares a `Link` header (RFC 8288 `rel="next"`);
//! 4. **offset**: an integer query parameter `offset` (or `skip`, `start`);
//! 5. **page**: an integer query parameter `page` (or `page_number`, `page_no`);
//!
//! for the last two, an integer page size parameter (`limit`, `per_page`, `page_size`, `size`,
//! `count`, `max_results`, `top`) is used when present. A cursor field with no cursor parameter
//! (or two), two cursor fields, or two offset or page parameters is ambiguous: not paged. So is
//! an operation with a parameter whose setter would be called `pages` or `items`.
//!
//! A vendor extension comes before all of these: Speakeasy's `x-speakeasy-pagination` (`type`
//! `cursor`, `offsetLimit` or `url`; `inputs` in `parameters`; `outputs.nextCursor`,
//! `outputs.nextUrl`, `outputs.results` as `$.a.b`) or Fern's `x-fern-pagination` (`cursor`,
//! `next_cursor`, `offset`, `step`, `results` as `$request.x` / `$response.a.b`). Its parameters
//! and paths must exist with the right types; one that does not is a warning at the extension, and
//! the operation stays a plain call. `x-pagination` has no common meaning across vendors and is
//! not read.
//!
//! **Invariant:** recognition reads only the IR, and changes nothing but
//! [`Operation::pagination`]; each field path it records goes through fields a response
//! decodes as `T` or `Option<T>` (never `Nullable<T>`).

use crate::ir::{
    FieldStep, HintKind, Operation, PageShape, Pagination, PagingHint, ParamLocation, Presence, ResponseBody, Struct,
    TypeDef, TypeKind, TypeRef,
};

/// Field names that hold a listing's items when a body has several arrays.
const ITEM_FIELDS: &[&str] = &["data", "items", "results", "records", "entries", "elements"];
/// Objects a body keeps its paging fields in.
const CONTAINERS: &[&str] = &["pagination", "paging", "meta", "pageinfo", "cursors", "links"];
/// Names of a cursor field (lower case, without `_` and `-`).
const CURSOR_FIELDS: &[&str] = &["nextcursor", "nextpagetoken", "nexttoken", "nextpagecursor"];
/// Names of a cursor query parameter (lower case, without `_` and `-`).
const CURSOR_PARAMS: &[&str] =
    &["cursor", "after", "startingafter", "pagetoken", "pagecursor", "nexttoken", "continuationtoken"];
/// Names of a "more pages follow" flag.
const HAS_MORE_FIELDS: &[&str] = &["hasmore", "hasnextpage", "hasnext"];
/// Names of a next-page link field.
const NEXT_URL_FIELDS: &[&str] = &["next", "nexturl", "nextlink", "nextpageurl"];
/// Names of an offset query parameter.
const OFFSET_PARAMS: &[&str] = &["offset", "skip", "start"];
/// Names of a page number query parameter.
const PAGE_PARAMS: &[&str] = &["page", "pagenumber", "pageno"];
/// Names of a page size query parameter.
const LIMIT_PARAMS: &[&str] = &["limit", "perpage", "pagesize", "size", "count", "maxresults", "top"];

/// Records on every operation that pages how it does; returns a warning (pointer, message) for
/// each vendor extension that does not fit the operation.
pub(crate) fn recognise(types: &[TypeDef], operations: &mut [Operation]) -> Vec<(String, String)> {
    let mut warnings = Vec::new();
    for op in operations.iter_mut() {
        op.pagination = match &op.pagination_hint {
            Some(hint) => match declared(types, op, hint) {
                Ok(paging) => Some(paging),
                Err(reason) => {
                    warnings.push((hint.pointer.clone(), format!("{} not used: {reason}", hint.extension)));
                    None
                }
            },
            None => pagination(types, op),
        };
    }
    warnings
}

/// The field path of wire names `path` from a body of type `body`, and the type at its end.
fn resolve(types: &[TypeDef], body: &TypeRef, path: &[String]) -> Result<(Vec<FieldStep>, TypeRef), String> {
    let mut steps = Vec::new();
    let mut ty = body.clone();
    for name in path {
        let object = struct_of(types, &ty).ok_or_else(|| format!("`{name}` is not inside an object"))?;
        let field = object.fields.iter().find(|f| &f.wire == name).ok_or_else(|| format!("no property `{name}`"))?;
        steps.push(step(field).ok_or_else(|| format!("`{name}` is optional and nullable"))?);
        ty = field.ty.clone();
    }
    Ok((steps, ty))
}

/// The query parameter (index) named `wire` whose type `fits`.
fn param(op: &Operation, wire: &str, fits: impl Fn(&TypeRef) -> bool) -> Result<usize, String> {
    op.params
        .iter()
        .position(|p| p.location == ParamLocation::Query && p.wire == wire && fits(&p.ty))
        .ok_or_else(|| format!("no query parameter `{wire}` of a fitting type"))
}

/// The paging a vendor extension declares, checked against the operation and its types.
fn declared(types: &[TypeDef], op: &Operation, hint: &PagingHint) -> Result<Pagination, String> {
    let success = op.responses.iter().find(|r| r.success).ok_or("the operation has no success response")?;
    let ResponseBody::Json(body) = &success.body else { return Err("the success body is not JSON".to_owned()) };
    if op.success_enum || op.body.is_some() {
        return Err("only operations without a request body and with one success body page".to_owned());
    }
    if !methods_free(op) {
        return Err("a parameter's setter is called `pages` or `items`, the paging methods' names".to_owned());
    }
    let (items, items_ty) = resolve(types, body, &hint.results)?;
    let item = array_of(types, &items_ty).ok_or("its results are not an array")?.clone();
    let items_at = if items.is_empty() { "the body".to_owned() } else { format!("`{}`", hint.results.join(".")) };
    let string_at = |path: &[String]| -> Result<Vec<FieldStep>, String> {
        match resolve(types, body, path)? {
            (steps, TypeRef::String) if !steps.is_empty() => Ok(steps),
            _ => Err(format!("`{}` is not a string property", path.join("."))),
        }
    };
    let from = format!("as its `{}` declares", hint.extension);
    let (shape, evidence) = match &hint.kind {
        HintKind::Cursor { param: wire, next } => {
            param(op, wire, |ty| *ty == TypeRef::String)?;
            let cursor = string_at(next)?;
            let evidence = format!(
                "a cursor in `{}`, sent back as the `{wire}` query parameter, {from}; items in {items_at}",
                next.join(".")
            );
            (PageShape::Cursor { param: wire.clone(), cursor, has_more: None }, evidence)
        }
        HintKind::NextUrl { next } => {
            let url = string_at(next)?;
            (
                PageShape::NextUrl { url },
                format!("a link to the next page in `{}`, {from}; items in {items_at}", next.join(".")),
            )
        }
        HintKind::Offset { param: wire, limit } | HintKind::Page { param: wire, limit } => {
            let index = param(op, wire, is_integer)?;
            let limit = limit.as_deref().map(|limit| param(op, limit, is_integer)).transpose()?;
            let offset = matches!(hint.kind, HintKind::Offset { .. });
            let what = if offset { "an item offset" } else { "a page number" };
            let evidence = format!("{what} in the `{wire}` query parameter, {from}; items in {items_at}");
            let shape = if offset {
                PageShape::Offset { param: index, limit }
            } else {
                PageShape::PageNumber { param: index, limit }
            };
            (shape, evidence)
        }
    };
    Ok(Pagination { shape, items, item, evidence })
}

/// Whether the builder's `pages` and `items` names are free (no parameter's setter has one).
fn methods_free(op: &Operation) -> bool {
    !op.params.iter().any(|p| p.name == "pages" || p.name == "items")
}

/// `Payment_Method-ID` → `paymentmethodid`.
fn key(name: &str) -> String {
    name.chars().filter(|c| *c != '_' && *c != '-').flat_map(char::to_lowercase).collect()
}

/// The struct a type reference names, through aliases.
fn struct_of<'t>(types: &'t [TypeDef], ty: &TypeRef) -> Option<&'t Struct> {
    let mut ty = ty;
    for _ in 0..8 {
        let TypeRef::Named(name) = ty else { return None };
        match &types.iter().find(|def| &def.name == name)?.kind {
            TypeKind::Struct(s) => return Some(s),
            TypeKind::Alias(target) => ty = target,
            _ => return None,
        }
    }
    None
}

/// The array a type reference is, through aliases: its item type.
fn array_of<'t>(types: &'t [TypeDef], ty: &'t TypeRef) -> Option<&'t TypeRef> {
    let mut ty = ty;
    for _ in 0..8 {
        match ty {
            TypeRef::Vec(item) => return Some(item),
            TypeRef::Named(name) => match &types.iter().find(|def| &def.name == name)?.kind {
                TypeKind::Alias(target) => ty = target,
                _ => return None,
            },
            _ => return None,
        }
    }
    None
}

/// A step through a field, unless it is tri-state.
fn step(field: &crate::ir::Field) -> Option<FieldStep> {
    let optional = match field.presence {
        Presence::Required => false,
        Presence::Optional | Presence::RequiredNullable => true,
        Presence::OptionalNullable => return None,
    };
    Some(FieldStep { name: field.name.clone(), optional })
}

/// The paths (from the body) to every field of `body` and of its paging objects whose name is
/// in `names` and whose type is `ty`.
fn find_fields(types: &[TypeDef], body: &Struct, names: &[&str], ty: &TypeRef) -> Vec<Vec<FieldStep>> {
    let mut found = Vec::new();
    for field in &body.fields {
        if names.contains(&key(&field.wire).as_str()) && &field.ty == ty {
            found.extend(step(field).map(|s| vec![s]));
        }
        if CONTAINERS.contains(&key(&field.wire).as_str())
            && let Some(inner) = struct_of(types, &field.ty)
            && let Some(outer) = step(field)
        {
            for member in &inner.fields {
                if names.contains(&key(&member.wire).as_str()) && &member.ty == ty {
                    found.extend(step(member).map(|s| vec![outer.clone(), s]));
                }
            }
        }
    }
    found
}

/// The one query parameter (index) whose name is in `names` and whose type `fits`; `Err` when
/// there are several.
fn one_param(op: &Operation, names: &[&str], fits: impl Fn(&TypeRef) -> bool) -> Result<Option<usize>, ()> {
    let mut found = op
        .params
        .iter()
        .enumerate()
        .filter(|(_, p)| p.location == ParamLocation::Query && !p.object && names.contains(&key(&p.wire).as_str()))
        .filter(|(_, p)| fits(&p.ty))
        .map(|(i, _)| i);
    match (found.next(), found.next()) {
        (first, None) => Ok(first),
        _ => Err(()),
    }
}

fn is_integer(ty: &TypeRef) -> bool {
    matches!(ty, TypeRef::I32 | TypeRef::I64 | TypeRef::U32 | TypeRef::U64)
}

/// `a.b.c` for the docs.
fn dotted(types: &[TypeDef], body: &TypeRef, path: &[FieldStep]) -> String {
    // Wire names read better than Rust names; find them along the path.
    let mut names = Vec::new();
    let mut current = struct_of(types, body);
    for step in path {
        let field = current.and_then(|s| s.fields.iter().find(|f| f.name == step.name));
        names.push(field.map_or_else(|| step.name.clone(), |f| f.wire.clone()));
        current = field.and_then(|f| struct_of(types, &f.ty));
    }
    names.join(".")
}

/// How `op` pages, if it clearly does.
fn pagination(types: &[TypeDef], op: &Operation) -> Option<Pagination> {
    if op.http_method != "GET" || op.body.is_some() || op.success_enum || !methods_free(op) {
        return None;
    }
    let success = op.responses.iter().find(|r| r.success)?;
    let ResponseBody::Json(body) = &success.body else { return None };
    let (items, item) = items(types, body)?;
    let items_at = if items.is_empty() { "the body".to_owned() } else { format!("`{}`", dotted(types, body, &items)) };
    let object = struct_of(types, body);
    let wire = |index: usize| op.params[index].wire.clone();

    let cursors = object.map(|s| find_fields(types, s, CURSOR_FIELDS, &TypeRef::String)).unwrap_or_default();
    if let [cursor] = cursors.as_slice() {
        let own_name = key(&cursor.last()?.name);
        let mut names = CURSOR_PARAMS.to_vec();
        names.push(&own_name);
        let param = one_param(op, &names, |ty| *ty == TypeRef::String).ok()??;
        let has_more = object.and_then(|s| {
            let mut flags = find_fields(types, s, HAS_MORE_FIELDS, &TypeRef::Bool);
            (flags.len() == 1).then(|| flags.remove(0))
        });
        let flag = has_more.as_ref().map(|path| format!(" (and `{}`)", dotted(types, body, path))).unwrap_or_default();
        let evidence = format!(
            "a cursor in `{}`{flag}, sent back as the `{}` query parameter; items in {items_at}",
            dotted(types, body, cursor),
            wire(param)
        );
        let shape = PageShape::Cursor { param: wire(param), cursor: cursor.clone(), has_more };
        return Some(Pagination { shape, items, item, evidence });
    }
    if cursors.len() > 1 {
        return None;
    }
    let links = object.map(|s| find_fields(types, s, NEXT_URL_FIELDS, &TypeRef::String)).unwrap_or_default();
    if let [url] = links.as_slice() {
        let evidence = format!("a link to the next page in `{}`; items in {items_at}", dotted(types, body, url));
        return Some(Pagination { shape: PageShape::NextUrl { url: url.clone() }, items, item, evidence });
    }
    if links.len() > 1 {
        return None;
    }
    if op.response_headers.iter().any(|h| h.wire == "link") {
        let evidence = format!("`Link: <..>; rel=\"next\"` response headers; items in {items_at}");
        return Some(Pagination { shape: PageShape::LinkHeader, items, item, evidence });
    }
    let limit = one_param(op, LIMIT_PARAMS, is_integer).ok()?;
    let sized = limit.map(|i| format!(", pages of the `{}` parameter's size", wire(i))).unwrap_or_default();
    if let Some(param) = one_param(op, OFFSET_PARAMS, is_integer).ok()? {
        let evidence = format!("an item offset in the `{}` query parameter{sized}; items in {items_at}", wire(param));
        return Some(Pagination { shape: PageShape::Offset { param, limit }, items, item, evidence });
    }
    if let Some(param) = one_param(op, PAGE_PARAMS, is_integer).ok()? {
        let evidence = format!("a page number in the `{}` query parameter{sized}; items in {items_at}", wire(param));
        return Some(Pagination { shape: PageShape::PageNumber { param, limit }, items, item, evidence });
    }
    None
}

/// Where the items are in a body of type `body`, and their type.
fn items(types: &[TypeDef], body: &TypeRef) -> Option<(Vec<FieldStep>, TypeRef)> {
    if let Some(item) = array_of(types, body) {
        return Some((Vec::new(), item.clone()));
    }
    let object = struct_of(types, body)?;
    let arrays: Vec<(&crate::ir::Field, &TypeRef)> =
        object.fields.iter().filter_map(|f| Some((f, array_of(types, &f.ty)?))).collect();
    let chosen = match arrays.as_slice() {
        [one] => *one,
        many => {
            let mut named = many.iter().filter(|(f, _)| ITEM_FIELDS.contains(&key(&f.wire).as_str()));
            match (named.next(), named.next()) {
                (Some(one), None) => *one,
                _ => return None,
            }
        }
    };
    Some((vec![step(chosen.0)?], chosen.1.clone()))
}
