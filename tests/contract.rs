//! The protobuf contract against the REST contract.
//!
//! Every operation of `spec/ralio-openapi.yaml` except `login` must have
//! exactly one RPC in package `ralio.v1` whose `(ralio.v1.http)` option names
//! the same method and path template, and every RPC must carry such an option
//! naming an operation of the spec, except the RPCs of the gateway's own
//! services (the webhook event stream), which must carry none. The descriptor set read here is the one
//! `build.rs` produced from `proto/`, so the test checks what is compiled.
//!
//! A second test enforces the house rule that every service, RPC, message,
//! field, oneof, enum and enum value of `ralio.v1` carries a comment.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use prost_reflect::{DescriptorPool, DynamicMessage, ExtensionDescriptor, Value};
use ralio_gateway::FILE_DESCRIPTOR_SET;

/// The operation that gRPC does not model: the gateway logs in by itself.
const UNMODELLED_OPERATIONS: &[&str] = &["login"];

/// Full name of the custom method option carrying the REST route.
const HTTP_OPTION: &str = "ralio.v1.http";

/// Package whose services are the gateway's contract.
const PACKAGE: &str = "ralio.v1";

/// Services that are the gateway's own (the webhook event stream), not
/// RalioPay operations: their RPCs must carry no route (spec/NOTES.md D20).
const GATEWAY_OWN_SERVICES: &[&str] = &["ralio.v1.EventsService"];

/// HTTP methods that OpenAPI path items may hold and that `HttpRoute` models,
/// with the name of the `HttpRoute` oneof field for each.
const METHODS: &[(&str, &str)] = &[
    ("GET", "get"),
    ("POST", "post"),
    ("PUT", "put"),
    ("PATCH", "patch"),
    ("DELETE", "delete"),
];

/// A REST route: upper-case method and path template.
type Route = (String, String);

fn spec_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("spec/ralio-openapi.yaml")
}

/// Routes of the spec (login excluded), each with its operationId.
fn spec_routes() -> BTreeMap<Route, String> {
    let path = spec_path();
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let doc: serde_yaml::Value = serde_yaml::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not valid YAML: {e}", path.display()));
    let paths = doc
        .get("paths")
        .and_then(serde_yaml::Value::as_mapping)
        .expect("spec has a `paths` mapping");

    let mut routes = BTreeMap::new();
    for (template, item) in paths {
        let template = template.as_str().expect("path keys are strings");
        for (method, key) in METHODS {
            let Some(operation) = item.get(*key) else {
                continue;
            };
            let operation_id = operation
                .get("operationId")
                .and_then(serde_yaml::Value::as_str)
                .unwrap_or_else(|| panic!("{method} {template} has no operationId"));
            if UNMODELLED_OPERATIONS.contains(&operation_id) {
                continue;
            }
            routes.insert(
                (method.to_string(), template.to_string()),
                operation_id.to_string(),
            );
        }
    }
    routes
}

fn pool() -> DescriptorPool {
    DescriptorPool::decode(FILE_DESCRIPTOR_SET).expect("descriptor set decodes")
}

/// Reads the `HttpRoute` of a method's options, if any: `Ok(route)`, or
/// `Err(reason)` when the option is missing or sets no pattern.
fn route_of(options: &DynamicMessage, http: &ExtensionDescriptor) -> Result<Route, String> {
    if !options.has_extension(http) {
        return Err(format!("no ({HTTP_OPTION}) option"));
    }
    let value = options.get_extension(http);
    let Value::Message(route) = value.as_ref() else {
        return Err(format!("({HTTP_OPTION}) is not a message"));
    };
    for (method, field) in METHODS {
        if route.has_field_by_name(field) {
            let path = route
                .get_field_by_name(field)
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            if path.is_empty() {
                return Err(format!("({HTTP_OPTION}) has an empty {field} path"));
            }
            return Ok((method.to_string(), path));
        }
    }
    Err(format!("({HTTP_OPTION}) sets no method"))
}

/// Routes declared by the RPCs of `ralio.v1`, keyed by route, with the RPC
/// full names; plus the problems found (missing or empty options).
fn rpc_routes(pool: &DescriptorPool) -> (BTreeMap<Route, Vec<String>>, Vec<String>) {
    let http = pool
        .get_extension_by_name(HTTP_OPTION)
        .unwrap_or_else(|| panic!("extension {HTTP_OPTION} is not in the descriptor set"));
    let mut routes: BTreeMap<Route, Vec<String>> = BTreeMap::new();
    let mut problems = Vec::new();
    for service in pool.services().filter(|s| s.package_name() == PACKAGE) {
        let own = GATEWAY_OWN_SERVICES.contains(&service.full_name());
        for method in service.methods() {
            if own {
                if method.options().has_extension(&http) {
                    problems.push(format!(
                        "RPC {} belongs to a gateway-own service but has a ({HTTP_OPTION}) option",
                        method.full_name()
                    ));
                }
                continue;
            }
            match route_of(&method.options(), &http) {
                Ok(route) => routes
                    .entry(route)
                    .or_default()
                    .push(method.full_name().to_string()),
                Err(reason) => problems.push(format!("RPC {}: {reason}", method.full_name())),
            }
        }
    }
    (routes, problems)
}

/// Compares the spec with the RPCs; returns every mismatch, one per line.
fn contract_mismatches(
    spec: &BTreeMap<Route, String>,
    rpcs: &BTreeMap<Route, Vec<String>>,
) -> Vec<String> {
    let mut problems = Vec::new();
    for ((method, path), operation_id) in spec {
        if !rpcs.contains_key(&(method.clone(), path.clone())) {
            problems.push(format!(
                "operation {operation_id} ({method} {path}) has no RPC"
            ));
        }
    }
    for ((method, path), names) in rpcs {
        // RPC names are the operationIds in PascalCase (spec/NOTES.md D16).
        if let Some(operation_id) = spec.get(&(method.clone(), path.clone())) {
            let expected = pascal_case(operation_id);
            for name in names {
                let short = name.rsplit('.').next().unwrap_or(name);
                if short != expected {
                    problems.push(format!(
                        "RPC {name} serves {operation_id} and should be named {expected}"
                    ));
                }
            }
        }
        if !spec.contains_key(&(method.clone(), path.clone())) {
            for name in names {
                problems.push(format!(
                    "RPC {name} names {method} {path}, which the spec does not have"
                ));
            }
        }
        if names.len() > 1 {
            problems.push(format!(
                "{method} {path} is claimed by several RPCs: {}",
                names.join(", ")
            ));
        }
    }
    problems
}

/// `createUserAccount` -> `CreateUserAccount`.
fn pascal_case(operation_id: &str) -> String {
    let mut chars = operation_id.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[test]
fn every_spec_operation_has_exactly_one_rpc_and_every_rpc_a_spec_operation() {
    let spec = spec_routes();
    // 45 operations upstream, login excluded (spec/NOTES.md D1).
    assert_eq!(
        spec.len(),
        44,
        "spec should have 44 operations besides login"
    );

    let pool = pool();
    let (rpcs, mut problems) = rpc_routes(&pool);
    problems.extend(contract_mismatches(&spec, &rpcs));
    assert!(
        problems.is_empty(),
        "protobuf contract does not match {}:\n  {}",
        spec_path().display(),
        problems.join("\n  ")
    );
}

/// The comparison itself must notice a dropped or altered route; checked on
/// a copy of the real data so that the test above cannot pass vacuously.
#[test]
fn a_removed_or_altered_route_is_reported() {
    let spec = spec_routes();
    let pool = pool();
    let (rpcs, _) = rpc_routes(&pool);
    let Some((route, names)) = rpcs.iter().find(|(r, _)| spec.contains_key(*r)) else {
        panic!("no RPC matches the spec at all");
    };

    let mut removed = rpcs.clone();
    removed.remove(route);
    let problems = contract_mismatches(&spec, &removed);
    let operation_id = &spec[route];
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with(&format!("operation {operation_id} "))),
        "removing {route:?} went unnoticed: {problems:?}"
    );

    let mut altered = rpcs.clone();
    altered.remove(route);
    altered.insert(
        (route.0.clone(), format!("{}/typo", route.1)),
        names.clone(),
    );
    let problems = contract_mismatches(&spec, &altered);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("which the spec does not have")),
        "altering {route:?} went unnoticed: {problems:?}"
    );
}

/// Every element of `ralio.v1` is documented: services, RPCs, messages,
/// fields, oneofs, enums, enum values and extensions.
#[test]
fn every_element_of_the_contract_has_a_comment() {
    let pool = pool();
    let mut undocumented = BTreeSet::new();
    for file in pool.files().filter(|f| f.package_name() == PACKAGE) {
        let proto = file.file_descriptor_proto();
        let info = proto
            .source_code_info
            .as_ref()
            .expect("build.rs keeps source info in the descriptor set");
        let documented: BTreeSet<&[i32]> = info
            .location
            .iter()
            .filter(|l| {
                l.leading_comments
                    .as_deref()
                    .is_some_and(|c| !c.trim().is_empty())
            })
            .map(|l| l.path.as_slice())
            .collect();
        let mut check = |kind: &str, name: &str, path: &[i32]| {
            if !documented.contains(path) {
                undocumented.insert(format!("{} {kind} {name}", file.name()));
            }
        };
        for service in file.services() {
            check("service", service.full_name(), service.path());
            for method in service.methods() {
                check("rpc", method.full_name(), method.path());
            }
        }
        for message in file.messages().flat_map(|m| all_nested(&m)) {
            check("message", message.full_name(), message.path());
            for field in message.fields() {
                check("field", field.full_name(), field.path());
            }
            for oneof in message.oneofs().filter(|o| !o.is_synthetic()) {
                check("oneof", oneof.full_name(), oneof.path());
            }
            for en in message.child_enums() {
                check("enum", en.full_name(), en.path());
                for value in en.values() {
                    check("enum value", value.full_name(), value.path());
                }
            }
        }
        for en in file.enums() {
            check("enum", en.full_name(), en.path());
            for value in en.values() {
                check("enum value", value.full_name(), value.path());
            }
        }
        for extension in file.extensions() {
            check("extension", extension.full_name(), extension.path());
        }
    }
    assert!(
        undocumented.is_empty(),
        "elements without a leading comment:\n  {}",
        undocumented.into_iter().collect::<Vec<_>>().join("\n  ")
    );
}

/// A message and, recursively, the messages nested in it (map entries, which
/// protoc generates without source, excluded).
fn all_nested(message: &prost_reflect::MessageDescriptor) -> Vec<prost_reflect::MessageDescriptor> {
    let mut out = vec![message.clone()];
    for child in message.child_messages().filter(|m| !m.is_map_entry()) {
        out.extend(all_nested(&child));
    }
    out
}
