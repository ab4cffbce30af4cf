//! Parameters: the path item's and the operation's parameters merged, each lowered to the shape
//! its location can send, and the path key parsed into literal parts and parameters (with any
//! `?query` template it carries).
//!
//! **Invariant:** every `{variable}` of the path template is a parameter (declared, or added as
//! a required string with a warning), path parameters come first and in declaration order, and
//! `PathPart::Param` indices point at them. Parameter names never shadow a generated method's
//! own locals (`body`, `request`, `self`).

use std::borrow::Cow;

use openapiv3::{Parameter, ParameterData, ParameterSchemaOrContent, PathStyle, QueryStyle};

use super::docs::lines;
use super::operations::OperationSite;
use super::{Lowered, Lowerer};
use crate::ir::{Param, ParamLocation, ParamStyle, PathPart, TypeRef};
use crate::names::{self, Scope};
use crate::{pointer, v32};

/// An operation's parameters and how its path is built from them.
pub(super) struct Parameters {
    pub params: Vec<Param>,
    /// The path template, with `PathPart::Param` indexing `params`.
    pub path_parts: Vec<PathPart>,
    /// Query pairs the path key fixes (`/search?type=user`).
    pub fixed_query: Vec<(String, String)>,
}

/// The Rust type a parameter's value is sent as.
struct ParamType {
    ty: TypeRef,
    /// An object spread over the query string by its style.
    object: bool,
}

impl<'a> Lowerer<'a, '_> {
    /// The parameters of the operation at `site`; `type_stem` names their inline types.
    pub(super) fn parameters(&mut self, site: &OperationSite, type_stem: &str) -> Parameters {
        let resolved = self.resolve_parameters(site);
        // The names a generated request builder uses for itself.
        let mut scope = Scope::with_reserved(&["body", "client", "request", "self", "send", "send_with_headers"]);
        let mut params = Vec::new();
        for (param, here) in resolved {
            params.push(self.param(&param, &here, type_stem, &mut scope));
        }
        // Some specs put a query template in the path key (`/search?q={q}`): that part is not
        // the path; its variables are query parameters, declared or not.
        let (path, query) = site.path.split_once('?').unwrap_or((site.path, ""));
        let fixed_query = self.query_template(query, &site.pointer, &mut params, &mut scope);
        let path_parts = self.path_template(path, &site.pointer, &mut params, &mut scope);
        Parameters { params, path_parts, fixed_query }
    }

    /// Path-level parameters first, replaced by operation parameters of the same name and place;
    /// then ordered path, query, header, cookie. Each with the pointer it was declared at.
    fn resolve_parameters<'o>(&mut self, site: &OperationSite<'o>) -> Vec<(Cow<'o, Parameter>, String)>
    where
        'a: 'o,
    {
        let mut resolved: Vec<(Cow<Parameter>, String)> = Vec::new();
        let item_pointer = site.pointer.rsplit_once('/').map(|(p, _)| p.to_owned()).unwrap_or_default();
        let sources = [
            (site.shared_params, pointer::push(&item_pointer, "parameters")),
            (site.op.parameters.as_slice(), pointer::push(&site.pointer, "parameters")),
        ];
        for (list, list_pointer) in sources {
            for (i, param) in list.iter().enumerate() {
                let here = pointer::push(&list_pointer, &i.to_string());
                let Some(param) = self.located(param, &here, "parameter") else { continue };
                let param = param.item;
                let key = |p: &Parameter| (p.parameter_data_ref().name.clone(), std::mem::discriminant(p));
                match resolved.iter_mut().find(|(existing, _)| key(existing) == key(&param)) {
                    Some(slot) => *slot = (param, here),
                    None => resolved.push((param, here)),
                }
            }
        }
        let order = |p: &Parameter| match p {
            Parameter::Path { .. } => 0,
            Parameter::Query { .. } => 1,
            Parameter::Header { .. } => 2,
            Parameter::Cookie { .. } => 3,
        };
        resolved.sort_by_key(|(p, _)| order(p));
        resolved
    }

    /// One declared parameter (at `here`), named in `scope`.
    fn param(&mut self, param: &Parameter, here: &str, type_stem: &str, scope: &mut Scope) -> Param {
        let (location, explode_default) = match param {
            Parameter::Path { .. } => (ParamLocation::Path, false),
            // `explode` defaults to true only for `style: form`.
            Parameter::Query { style, .. } => (ParamLocation::Query, *style == QueryStyle::Form),
            Parameter::Header { .. } => (ParamLocation::Header, false),
            Parameter::Cookie { .. } => (ParamLocation::Cookie, true),
        };
        let data = param.parameter_data_ref();
        let hint = format!("{type_stem}{}", names::type_name(&data.name, "Param"));
        let lowered = self.param_schema(data, here, &hint);
        let style = match param {
            Parameter::Query { style: QueryStyle::SpaceDelimited, .. } => ParamStyle::SpaceDelimited,
            Parameter::Query { style: QueryStyle::PipeDelimited, .. } => ParamStyle::PipeDelimited,
            Parameter::Query { style: QueryStyle::DeepObject, .. } => ParamStyle::DeepObject,
            Parameter::Path { style: PathStyle::Simple, .. } => ParamStyle::Simple,
            Parameter::Path { style: PathStyle::Label, .. } => ParamStyle::Label,
            Parameter::Path { style: PathStyle::Matrix, .. } => ParamStyle::Matrix,
            _ => ParamStyle::Form,
        };
        let ParamType { ty, object } = self.param_type(lowered.ty, location, here);
        Param {
            name: scope.claim(names::snake_name(&data.name, "param")),
            wire: data.name.clone(),
            location,
            ty,
            required: data.required || location == ParamLocation::Path,
            explode: data.explode.unwrap_or(explode_default),
            style,
            object,
            docs: param_docs(data),
        }
    }

    /// A parameter's `schema`, or the schema of its first `content` entry.
    fn param_schema(&mut self, data: &ParameterData, here: &str, hint: &str) -> Lowered {
        match &data.format {
            ParameterSchemaOrContent::Schema(schema) => self.schema(schema, hint, &pointer::push(here, "schema")),
            ParameterSchemaOrContent::Content(content) => match content.iter().next() {
                Some((media, m)) => match &m.schema {
                    Some(schema) => {
                        let at = pointer::push(&pointer::push(&pointer::push(here, "content"), media), "schema");
                        let lowered = self.schema(schema, hint, &at);
                        // Content-encoded parameters are sent as their JSON text.
                        Lowered {
                            ty: if lowered.ty.is_scalar() { lowered.ty } else { TypeRef::Value },
                            nullable: lowered.nullable,
                        }
                    }
                    None => Lowered::of(TypeRef::String),
                },
                None => Lowered::of(TypeRef::String),
            },
        }
    }

    /// The type a parameter in `location` is sent as: scalars, scalar enums and lists of them as
    /// they are, objects spread over the query string or written into the path by their style,
    /// anything else as JSON text.
    fn param_type(&mut self, ty: TypeRef, location: ParamLocation, here: &str) -> ParamType {
        let scalar = |lowerer: &Self, ty: &TypeRef| match ty {
            TypeRef::Named(name) => lowerer.is_scalar_enum(name),
            ty => ty.is_scalar(),
        };
        let ty = match ty {
            TypeRef::Vec(item) if scalar(self, &item) => TypeRef::Vec(item),
            TypeRef::Vec(_) => TypeRef::Vec(Box::new(TypeRef::Value)),
            ty if scalar(self, &ty) || ty == TypeRef::Value => ty,
            // Objects in the query string are spread by their style.
            ty if location == ParamLocation::Query => return ParamType { ty, object: true },
            // `runtime::path_value` writes them by their style.
            ty if location == ParamLocation::Path => return ParamType { ty, object: true },
            _ => {
                self.sink.warning(here, "object-valued header, path and cookie parameters are sent as JSON text");
                TypeRef::Value
            }
        };
        ParamType { ty, object: false }
    }

    /// The query template of a path key (`q={q}&type=user`): `k={v}` is the query parameter `k`
    /// (added unless declared), anything else a fixed pair, returned.
    fn query_template(
        &mut self,
        query: &str,
        pointer: &str,
        params: &mut Vec<Param>,
        scope: &mut Scope,
    ) -> Vec<(String, String)> {
        if !query.is_empty() {
            self.sink.warning(
                pointer,
                format!("`?{query}` in the path key is not part of the path; sent as query parameters"),
            );
        }
        let mut fixed_query = Vec::new();
        for pair in query.split('&').filter(|pair| !pair.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match template_variables(value).as_slice() {
                // `k={v}`: the parameter `k`, unless the spec declares it (under either name).
                [variable] => {
                    let declared =
                        |p: &Param| p.location == ParamLocation::Query && (p.wire == key || p.wire == *variable);
                    if !params.iter().any(declared) {
                        let rust_name = scope.claim(names::snake_name(variable, "param"));
                        let mut param = undeclared_param(rust_name, key, ParamLocation::Query);
                        param.docs.push(format!("Sent as `{key}`."));
                        params.push(param);
                    }
                }
                _ => fixed_query.push((key.to_owned(), value.to_owned())),
            }
        }
        fixed_query
    }

    /// The parts of a path template; an undeclared `{variable}` becomes a required string
    /// parameter, and a declared path parameter the template lacks is reported.
    fn path_template(
        &mut self,
        path: &str,
        pointer: &str,
        params: &mut Vec<Param>,
        scope: &mut Scope,
    ) -> Vec<PathPart> {
        let mut parts = Vec::new();
        let mut rest = path;
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}').map(|c| open + c) else { break };
            if open > 0 {
                parts.push(PathPart::Literal(rest[..open].to_owned()));
            }
            let name = &rest[open + 1..close];
            let index = match params.iter().position(|p| p.location == ParamLocation::Path && p.wire == name) {
                Some(index) => index,
                None => {
                    self.sink.warning(
                        pointer,
                        format!("path template variable `{name}` is not declared; generated as a required string"),
                    );
                    // After the declared path parameters, which every earlier part points to.
                    let index = params.iter().take_while(|p| p.location == ParamLocation::Path).count();
                    let rust_name = scope.claim(names::snake_name(name, "param"));
                    params.insert(index, undeclared_param(rust_name, name, ParamLocation::Path));
                    index
                }
            };
            parts.push(PathPart::Param(index));
            rest = &rest[close + 1..];
        }
        if !rest.is_empty() {
            parts.push(PathPart::Literal(rest.to_owned()));
        }
        for param in params.iter().filter(|p| p.location == ParamLocation::Path) {
            if !path.contains(&format!("{{{}}}", param.wire)) {
                self.sink.warning(
                    pointer,
                    format!("path parameter `{}` does not appear in the path template; it is not sent", param.wire),
                );
            }
        }
        parts
    }
}

/// The `{name}` variables of a URL template, in order.
pub(super) fn template_variables(template: &str) -> Vec<&str> {
    template.split('{').skip(1).filter_map(|part| part.split_once('}').map(|(name, _)| name)).collect()
}

/// A required string parameter that the spec uses in its path key without declaring it.
fn undeclared_param(name: String, wire: &str, location: ParamLocation) -> Param {
    let docs = vec!["Used in the path key but not declared by the spec.".to_owned()];
    Param {
        name,
        wire: wire.to_owned(),
        location,
        ty: TypeRef::String,
        required: true,
        explode: true,
        style: ParamStyle::Form,
        object: false,
        docs,
    }
}

/// A parameter's description, and for 3.2's `in: querystring` (see `v32`) what is sent.
fn param_docs(data: &ParameterData) -> Vec<String> {
    let mut docs = data.description.as_deref().map(lines).unwrap_or_default();
    if data.extensions.contains_key(v32::QUERYSTRING) {
        if !docs.is_empty() {
            docs.push(String::new());
        }
        docs.push("The whole query string: each field is sent as one `name=value` pair.".to_owned());
    }
    docs
}
