//! Method names: each operation's `operationId` in snake case, without the noise web frameworks
//! put into the ids they generate, where the shorter name stays unique.
//!
//! A shape is recognised per operation, from its id and its own path and method, so a
//! hand-written id is never touched:
//!
//! - FastAPI, `{function}{path}_{method}` with every non-word character of the path made `_`:
//!   `get_agent_agents__agent_id__get` at `GET /agents/{agent_id}` → `get_agent`.
//! - springfox, `{method}Using{HTTP METHOD}` and its numbered duplicates:
//!   `getUserUsingGET` at `GET ..` → `get_user`, `getUserUsingGET_1` → `get_user_1`.
//! - NestJS's default and ASP.NET's `{Name}Controller_{action}`: `CallsController_findAll` →
//!   `find_all`, or `calls_find_all` when `find_all` is not unique.
//!
//! **Invariant:** a cleaned name is used only when no other operation could be called by it
//! (as its snake-cased id or any of its cleaned names) and the client has no method of that
//! name; otherwise the next cleaned name is tried, then the id itself. Two operations never
//! share a name, and the choice depends on the whole set of operations, not on their order.
//! Names are chosen in two linear passes: every operation's candidates, then their counts.

use rustc_hash::FxHashMap;

use crate::diagnostics::Sink;
use crate::names::{self, Scope};

/// Method names [`Client`](crate) already has.
const RESERVED_METHODS: &[&str] = &["new", "builder", "with_options", "base_url", "core"];

/// The HTTP methods springfox spells after `Using`.
const SPRINGFOX_METHODS: &[&str] = &["GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"];

/// What names an operation: its id, and where it sits.
pub(super) struct Naming<'o> {
    /// `operationId`, or `get /path` when there is none.
    pub id: &'o str,
    /// The path key (`/calls/{call_id}`).
    pub path: &'o str,
    /// The HTTP method, uppercase.
    pub method: &'o str,
}

/// The wanted method name of each operation, in the order given: its best cleaned name that
/// nothing else could be called by, or else its id in snake case.
pub(super) fn wanted_names(ops: &[Naming]) -> Vec<String> {
    // First pass: every name each operation could get, its own id's first.
    let options: Vec<Vec<String>> = ops
        .iter()
        .map(|op| {
            let natural = names::snake_name(op.id, "operation");
            let mut options = vec![natural];
            for cleaned in cleaned_ids(op.id, op.path, op.method) {
                let name = names::snake_name(&cleaned, "operation");
                if !options.contains(&name) {
                    options.push(name);
                }
            }
            options
        })
        .collect();
    // Second pass: how many operations could be called by each name (the client's own count).
    let mut claims: FxHashMap<&str, usize> = RESERVED_METHODS.iter().map(|name| (*name, 1)).collect();
    for name in options.iter().flatten() {
        *claims.entry(name).or_default() += 1;
    }
    options
        .iter()
        .map(|options| {
            let unique = options[1..].iter().find(|name| claims[name.as_str()] == 1);
            unique.unwrap_or(&options[0]).clone()
        })
        .collect()
}

/// The ids a framework would have been given before it added its noise to `id`, best first;
/// none when `id` has no shape this module knows at `method path`.
fn cleaned_ids(id: &str, path: &str, method: &str) -> Vec<String> {
    let cleaned = if let Some(function) = fastapi_function(id, path, method) {
        vec![function.to_owned()]
    } else if let Some(cleaned) = springfox_method(id, method) {
        vec![cleaned]
    } else if let Some((controller, action)) = controller_action(id) {
        let mut cleaned = vec![action.to_owned()];
        if !controller.is_empty() {
            cleaned.push(format!("{controller}_{action}"));
        }
        cleaned
    } else {
        Vec::new()
    };
    cleaned.into_iter().filter(|name| name.chars().any(char::is_alphabetic)).collect()
}

/// `list_agents` of FastAPI's `list_agents_agents_get` at `GET /agents`: the id is the function's
/// name, then the path with every character but letters, digits and `_` made `_`, then `_get`.
fn fastapi_function<'i>(id: &'i str, path: &str, method: &str) -> Option<&'i str> {
    let method = method.to_ascii_lowercase();
    let mut function = id.strip_suffix(method.as_str())?.strip_suffix('_')?;
    for c in path.chars().rev() {
        let word = c.is_alphanumeric() || c == '_';
        function = function.strip_suffix(if word { c } else { '_' })?;
    }
    (!path.is_empty() && !function.is_empty()).then_some(function)
}

/// `getUser` of springfox's `getUserUsingGET` for a `GET`, or `getUser_1` of its duplicate
/// `getUserUsingGET_1`.
fn springfox_method(id: &str, method: &str) -> Option<String> {
    let (stem, number) = match id.rsplit_once('_') {
        Some((stem, number)) if !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()) => {
            (stem, Some(number))
        }
        _ => (id, None),
    };
    if !SPRINGFOX_METHODS.contains(&method) {
        return None;
    }
    let name = stem.strip_suffix(method)?.strip_suffix("Using")?;
    let valid = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    valid.then(|| match number {
        Some(number) => format!("{name}_{number}"),
        None => name.to_owned(),
    })
}

/// (`Calls`, `findAll`) of NestJS's `CallsController_findAll` (ASP.NET ids have the same shape):
/// a class name ending in `Controller`, `_`, and the handler's name.
fn controller_action(id: &str) -> Option<(&str, &str)> {
    let (class, action) = id.split_once("Controller_")?;
    let class_ok = class.chars().all(|c| c.is_ascii_alphanumeric()) && !class.starts_with(|c: char| c.is_ascii_digit());
    let action_ok = action.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && action.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    (class_ok && action_ok).then_some((class, action))
}

/// The client's method names, handed out in document order. A name already taken (two ids that
/// differ only in case or punctuation, a repeated id, or a name the client itself uses) gets a
/// number, with a warning at the operation that gets it.
pub(super) struct MethodNames {
    scope: Scope,
    /// Request builder names (`ListCalls`), unique in the `operations` module.
    builders: Scope,
    /// Wanted name → pointer of the operation that got it.
    owners: FxHashMap<String, String>,
}

impl MethodNames {
    pub(super) fn new() -> Self {
        MethodNames {
            scope: Scope::with_reserved(RESERVED_METHODS),
            builders: Scope::default(),
            owners: FxHashMap::default(),
        }
    }

    /// The request builder's name for the method `method_name`, unique among builders.
    pub(super) fn builder(&mut self, method_name: &str) -> String {
        self.builders.claim(names::type_name(names::bare(method_name), "Operation"))
    }

    /// The method name of the operation `id` at `pointer`, which wants the name `wanted`.
    pub(super) fn claim(&mut self, id: &str, wanted: String, pointer: &str, sink: &mut Sink) -> String {
        let name = self.scope.claim(wanted.clone());
        if name == wanted {
            self.owners.insert(wanted, pointer.to_owned());
            return name;
        }
        let taken = match self.owners.get(&wanted) {
            Some(owner) => format!("is taken by the operation at #{owner}"),
            None => "is one the client itself uses".to_owned(),
        };
        sink.warning(
            pointer,
            format!("operationId `{id}` gives the method name `{wanted}`, which {taken}; this one is `{name}`"),
        );
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cleaned(id: &str, path: &str, method: &str) -> Vec<String> {
        cleaned_ids(id, path, method)
    }

    fn wanted(ops: &[(&str, &str, &str)]) -> Vec<String> {
        let ops: Vec<Naming> = ops.iter().map(|&(id, path, method)| Naming { id, path, method }).collect();
        wanted_names(&ops)
    }

    #[test]
    fn fastapi_ids_lose_their_path_and_method() {
        assert_eq!(cleaned("list_agents_agents_get", "/agents", "GET"), ["list_agents"]);
        assert_eq!(cleaned("get_agent_agents__agent_id__get", "/agents/{agent_id}", "GET"), ["get_agent"]);
        assert_eq!(
            cleaned("add_contact_campaigns__campaign_id__contacts_post", "/campaigns/{campaign_id}/contacts", "POST"),
            ["add_contact"]
        );
        assert_eq!(cleaned("Get_voices_v1_voices_get", "/v1/voices", "GET"), ["Get_voices"]);
        // A trailing slash, a dash and a dot are all `_`.
        assert_eq!(cleaned("list_api_v1_app__get", "/api/v1/app/", "GET"), ["list"]);
        assert_eq!(cleaned("query_distance_query_v1_json_post", "/distance-query/v1.json", "POST"), ["query"]);
    }

    #[test]
    fn fastapi_shape_must_match_the_operations_own_path_and_method() {
        // Another method, another path, or nothing before the path: the id is left alone.
        assert!(cleaned("list_agents_agents_get", "/agents", "POST").is_empty());
        assert!(cleaned("list_agents_agents_get", "/users", "GET").is_empty());
        assert!(cleaned("list_agents_agents_get", "/v1/agents", "GET").is_empty());
        assert!(cleaned("_agents_get", "/agents", "GET").is_empty());
        assert!(cleaned("agents_get", "/agents", "GET").is_empty());
        assert!(cleaned("listAgents", "/agents", "GET").is_empty());
        assert!(cleaned("get", "", "GET").is_empty());
    }

    #[test]
    fn springfox_ids_lose_using_and_the_method() {
        assert_eq!(cleaned("getUserUsingGET", "/users/{id}", "GET"), ["getUser"]);
        assert_eq!(cleaned("generateOtpUsingPOST_2", "/otp", "POST"), ["generateOtp_2"]);
        assert!(cleaned("getUserUsingGET", "/users/{id}", "DELETE").is_empty());
        assert!(cleaned("UsingGET", "/users", "GET").is_empty());
        assert!(cleaned("getUserUsing", "/users", "GET").is_empty());
    }

    #[test]
    fn controller_ids_offer_the_action_then_the_class_and_action() {
        assert_eq!(cleaned("CallsController_findAll", "/calls", "GET"), ["findAll", "Calls_findAll"]);
        assert_eq!(cleaned("CallsController_findAll_v1", "/v1/calls", "GET"), ["findAll_v1", "Calls_findAll_v1"]);
        assert_eq!(cleaned("Controller_findAll", "/", "GET"), ["findAll"]);
        assert!(cleaned("Calls.Controller_findAll", "/calls", "GET").is_empty());
        assert!(cleaned("CallsController_", "/calls", "GET").is_empty());
        assert!(cleaned("CallsController-findAll", "/calls", "GET").is_empty());
        assert!(cleaned("CallsController_1", "/calls", "GET").is_empty());
    }

    #[test]
    fn hand_written_ids_are_left_alone() {
        for (id, path, method) in [
            ("update_call", "/calls/{call_id}", "PATCH"),
            ("listPets", "/pets", "GET"),
            ("Databases_Get", "/databases/{name}", "GET"),
            ("getPetUsingGet", "/pets", "GET"),
        ] {
            assert!(cleaned(id, path, method).is_empty(), "{id}");
        }
    }

    #[test]
    fn cleaned_names_are_used_only_when_nothing_else_could_have_them() {
        let names = wanted(&[
            ("list_agents_agents_get", "/agents", "GET"),
            // Two routes of one function clean to the same name: both keep their ids.
            ("get_items_items_get", "/items", "GET"),
            ("get_items_v2_items_get", "/v2/items", "GET"),
            // A cleaned name another operation's id already gives is not taken from it.
            ("delete_agent_agents__id__delete", "/agents/{id}", "DELETE"),
            ("delete_agent", "/old/agents/{id}", "DELETE"),
            // Nor one the client itself uses.
            ("new_agents_new_post", "/agents/new", "POST"),
            // Controllers: unique actions lose the class; shared ones keep it without `Controller`.
            ("CallsController_findAll", "/calls", "GET"),
            ("UsersController_findAll", "/users", "GET"),
            ("CallsController_update", "/calls/{id}", "PATCH"),
            ("AppController_status", "/status", "GET"),
            ("status", "/health", "GET"),
        ]);
        assert_eq!(
            names,
            [
                "list_agents",
                "get_items_items_get",
                "get_items_v2_items_get",
                "delete_agent_agents_id_delete",
                "delete_agent",
                "new_agents_new_post",
                "calls_find_all",
                "users_find_all",
                "update",
                "app_status",
                "status",
            ]
        );
    }

    #[test]
    fn the_choice_does_not_depend_on_order() {
        let mut ops = vec![
            ("CallsController_findAll", "/calls", "GET"),
            ("get_items_items_get", "/items", "GET"),
            ("UsersController_findAll", "/users", "GET"),
            ("get_items_v2_items_get", "/v2/items", "GET"),
            ("find_all_things_get", "/things", "GET"),
        ];
        let forward = wanted(&ops);
        ops.reverse();
        let mut backward = wanted(&ops);
        backward.reverse();
        assert_eq!(forward, backward);
        assert_eq!(
            forward,
            [
                "calls_find_all",
                "get_items_items_get",
                "users_find_all",
                "get_items_v2_items_get",
                "find_all_things_get"
            ]
        );
    }
}
