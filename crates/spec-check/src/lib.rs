//! Checks HTTP bodies against the providers' official OpenAPI 3.0 specifications.
//!
//! The specs are read from `$HANGAR_PROVIDER_SPECS` if set, else from
//! `../shared/provider-specs` beside the workspace (`digitalocean-openapi.json`,
//! `vultr-openapi.json`, `linode-openapi.json`). Each is loaded once per test binary.
//!
//! How a check works:
//! 1. The operation is found by matching the concrete path (query string ignored) against the
//!    spec's path templates; literal segments beat `{parameters}`, so `/v2/projects/default`
//!    picks its own operation. A Vultr path may include the `/v2` server prefix or not, a
//!    Linode path the `/v4` one.
//! 2. The response for the status is taken, else `default`.
//! 3. The OpenAPI schema is turned into JSON Schema (draft 4, which OpenAPI 3.0 extends):
//!    `nullable: true` becomes "or null", `example(s)` are dropped. `#/components/...`
//!    references resolve inside the whole (converted) document.
//! 4. The body is validated with the `jsonschema` crate, formats included.
//! 5. Keys are checked explicitly, because these schemas rarely forbid extra properties: at the
//!    top level and one level down (the wrapped resource, e.g. `droplet` or `tag`, or each
//!    element of a wrapped list, e.g. `droplets[i]`), every key of the body must be declared,
//!    and the top level must hold at least one declared key.
//!
//! Rules that come from the specs' prose rather than from per-operation responses:
//! - A 204 must have an empty body.
//! - Vultr: "All 4xx errors will return a JSON response object with an `error` attribute", so a
//!   4xx without a documented schema must carry a string `error`. A 429 or 5xx that an operation
//!   does not list is allowed (rate limit and server errors are described globally), and any
//!   body is accepted for a 5xx.
//! - Linode: the Linode and Firewall `label` pattern is broken (its unescaped `..` matches any
//!   two characters, so it accepts only two-character labels while `minLength` is 3; see the
//!   provider-specs README, "Where the specs disagree"). It is replaced by the rules of the
//!   label's description. GET `/linode/instances/{linodeId}/ips` may answer `ipv6.global` as
//!   a list of IPv6Pool objects (what the live API sends and linode-api4 iterates over) as well
//!   as the one object the spec has. A DomainRecord's `name` may be empty (`""` is the zone's apex, as
//!   the live API answers it), where the spec says `minLength: 1`. The Domain `domain`
//!   pattern's Ruby anchors `\A`/`\Z` become `^`/`$`. A create or rebuild body may carry
//!   `metadata.user_data` (base64), which the live API accepts and 4.151.1 lacks.
//!
//! Use [`check_response`] for what a server answered and [`check_request`] for what a client
//! sends. Both return `Err(message)` with the operation, the status and every violation.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use jsonschema::{Draft, Registry, Validator};
use serde_json::{Map, Value};

/// Which provider's spec: the emulated provider's. Its file is `<slug>-openapi.json`.
pub type Api = hangar_emulator::EmulatedProvider;

/// How many specs there are (one per emulated provider).
const SPECS: usize = Api::ALL.len();

/// The spec file of `api`.
fn file_of(api: Api) -> String {
    format!("{}-openapi.json", api.name())
}

/// The base URI `api`'s document is registered under (for its `$ref`s).
fn base_uri_of(api: Api) -> String {
    format!("https://specs.hangar.invalid/{}", api.name())
}

/// The OpenAPI document of `api` as read from its file, with the corrections the crate
/// documentation lists (where the provider-specs README says the spec is wrong). This is what
/// the checks use, and what a validating proxy (Prism) is given.
pub fn corrected_document(api: Api) -> Value {
    let path = specs_dir().join(file_of(api));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read the {api:?} OpenAPI spec at {} ({e}); set HANGAR_PROVIDER_SPECS to the directory holding it",
            path.display()
        )
    });
    let mut raw: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
    if api == Api::Linode {
        fix_linode_patterns(&mut raw);
    }
    raw
}

/// The directory holding the spec files.
pub fn specs_dir() -> PathBuf {
    match std::env::var_os("HANGAR_PROVIDER_SPECS") {
        Some(dir) => PathBuf::from(dir),
        // The workspace root is two levels up from this crate.
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/provider-specs"),
    }
}

/// One loaded spec: the converted document, its registry, and cached validators.
pub struct Spec {
    api: Api,
    /// The document after the OpenAPI → JSON Schema conversion.
    doc: Arc<Value>,
    /// The path prefix of `servers[0].url` (`""`, `"/v2"` or `"/v4"`).
    server_prefix: String,
    registry: Registry<'static>,
    validators: Mutex<HashMap<String, Arc<Validator>>>,
}

/// The spec of `api`, loaded on first use. Panics with a clear message if it is missing.
pub fn spec(api: Api) -> &'static Spec {
    static LOADED: [OnceLock<Spec>; SPECS] = [const { OnceLock::new() }; SPECS];
    let at = Api::ALL
        .iter()
        .position(|p| *p == api)
        .expect("every provider is in ALL");
    LOADED[at].get_or_init(|| Spec::load(api))
}

/// An operation found for a concrete path.
pub struct Operation<'a> {
    /// The path template as written in the spec, e.g. `/v2/droplets/{droplet_id}`.
    pub template: &'a str,
    /// The lowercase method.
    pub method: String,
    /// The operation object.
    pub op: &'a Value,
}

impl Spec {
    fn load(api: Api) -> Spec {
        let raw = corrected_document(api);
        let server_prefix = raw
            .pointer("/servers/0/url")
            .and_then(Value::as_str)
            .map(|u| {
                let after_scheme = u.split_once("://").map_or(u, |(_, rest)| rest);
                after_scheme.find('/').map_or(String::new(), |i| {
                    after_scheme[i..].trim_end_matches('/').to_owned()
                })
            })
            .unwrap_or_default();
        let doc = Arc::new(convert(raw));
        let registry = Registry::new()
            .draft(Draft::Draft4)
            .add(base_uri_of(api), Arc::clone(&doc))
            .and_then(|b| b.prepare())
            .unwrap_or_else(|e| panic!("cannot index the {api:?} spec: {e}"));
        Spec {
            api,
            doc,
            server_prefix,
            registry,
            validators: Mutex::new(HashMap::new()),
        }
    }

    /// The converted document.
    pub fn document(&self) -> &Value {
        &self.doc
    }

    /// Finds the operation for `method` and a concrete `path` (a query string is ignored).
    pub fn operation(&self, method: &str, path: &str) -> Option<Operation<'_>> {
        let path = path.split('?').next().unwrap_or(path);
        let path = match path.strip_prefix(self.server_prefix.as_str()) {
            Some(rest) if !self.server_prefix.is_empty() && rest.starts_with('/') => rest,
            _ => path,
        };
        let method = method.to_lowercase();
        let concrete: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        let paths = self.doc.get("paths")?.as_object()?;
        let mut best: Option<(usize, &str, &Value)> = None;
        for (template, item) in paths {
            let Some(op) = item.get(&method) else {
                continue;
            };
            let segments: Vec<&str> = template.trim_end_matches('/').split('/').collect();
            if segments.len() != concrete.len() {
                continue;
            }
            let mut literals = 0;
            let matches = segments.iter().zip(&concrete).all(|(t, c)| {
                if t.starts_with('{') && t.ends_with('}') {
                    !c.is_empty()
                } else if t == c {
                    literals += 1;
                    true
                } else {
                    false
                }
            });
            if matches && best.is_none_or(|(l, _, _)| literals > l) {
                best = Some((literals, template.as_str(), op));
            }
        }
        best.map(|(_, template, op)| Operation {
            template,
            method,
            op,
        })
    }

    /// Follows `$ref`s (inside this document) until a non-reference object.
    fn resolve<'a>(&'a self, mut v: &'a Value) -> &'a Value {
        for _ in 0..32 {
            match v.get("$ref").and_then(Value::as_str) {
                Some(r) => match r.strip_prefix('#').and_then(|p| self.doc.pointer(p)) {
                    Some(target) => v = target,
                    None => return v,
                },
                None => return v,
            }
        }
        v
    }

    fn validator(&self, key: String, schema: &Value) -> Result<Arc<Validator>, String> {
        if let Some(v) = self.validators.lock().unwrap().get(&key) {
            return Ok(Arc::clone(v));
        }
        // The schema is compiled on its own, so its local references must name the document.
        let schema = absolutize_refs(schema.clone(), &base_uri_of(self.api));
        let validator = jsonschema::options()
            .with_draft(Draft::Draft4)
            .with_registry(&self.registry)
            .should_validate_formats(true)
            .build(&schema)
            .map_err(|e| format!("cannot compile the schema for {key}: {e}"))?;
        let validator = Arc::new(validator);
        self.validators
            .lock()
            .unwrap()
            .insert(key, Arc::clone(&validator));
        Ok(validator)
    }

    /// Validates `body` against `schema` and checks its declared keys.
    fn check_body(&self, key: String, schema: &Value, body: &Value) -> Vec<String> {
        let mut problems = Vec::new();
        match self.validator(key, schema) {
            Ok(v) => {
                for e in v.iter_errors(body) {
                    problems.push(format!("at {}: {e}", e.instance_path()));
                }
            }
            Err(e) => problems.push(e),
        }
        let top = self.declared_keys(schema);
        if let (Some(declared), Some(obj)) = (&top, body.as_object()) {
            if !obj.keys().any(|k| declared.contains(k)) {
                problems.push(format!(
                    "none of the top-level keys {:?} is declared (expected one of {declared:?})",
                    obj.keys().collect::<Vec<_>>()
                ));
            }
            for (k, v) in obj {
                if !declared.contains(k) {
                    problems.push(format!("top-level key {k:?} is not declared by the spec"));
                    continue;
                }
                let Some(inner) = self.property_schema(schema, k) else {
                    continue;
                };
                // The wrapped resource, or each element of a wrapped list.
                let (inner, elements): (&Value, Vec<(String, &Value)>) = match v {
                    Value::Array(items) => match self.items_schema(inner) {
                        Some(item_schema) => (
                            item_schema,
                            items
                                .iter()
                                .enumerate()
                                .map(|(i, x)| (format!("{k}[{i}]"), x))
                                .collect(),
                        ),
                        None => continue,
                    },
                    other => (inner, vec![(k.clone(), other)]),
                };
                let Some(mut inner_declared) = self.declared_keys(inner) else {
                    continue;
                };
                // A property declared in several branches of an `allOf` (Linode's firewall
                // create body narrows `rules` beside the Firewall schema's own) declares the
                // keys of all of them.
                let mut all = Vec::new();
                self.property_schemas(schema, k, &mut all, 0);
                for other in all {
                    let other = if v.is_array() {
                        self.items_schema(other)
                    } else {
                        Some(other)
                    };
                    if let Some(keys) = other.and_then(|o| self.declared_keys(o)) {
                        inner_declared.extend(keys);
                    }
                }
                for (label, element) in elements {
                    for ik in element.as_object().into_iter().flat_map(|o| o.keys()) {
                        if !inner_declared.contains(ik) {
                            problems.push(format!("key {label}.{ik} is not declared by the spec"));
                        }
                    }
                }
            }
        }
        problems
    }

    /// The property names a schema declares, through `$ref`, `allOf`, `anyOf` and `oneOf`.
    /// `None` when it declares none (a free-form object).
    fn declared_keys(&self, schema: &Value) -> Option<BTreeSet<String>> {
        let mut keys = BTreeSet::new();
        self.collect_keys(schema, &mut keys, 0);
        (!keys.is_empty()).then_some(keys)
    }

    fn collect_keys(&self, schema: &Value, keys: &mut BTreeSet<String>, depth: usize) {
        if depth > 16 {
            return;
        }
        let schema = self.resolve(schema);
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            keys.extend(props.keys().cloned());
        }
        for k in ["allOf", "anyOf", "oneOf"] {
            for sub in schema
                .get(k)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                self.collect_keys(sub, keys, depth + 1);
            }
        }
    }

    /// The `items` schema of an array schema, searching the same combinators.
    fn items_schema<'a>(&'a self, schema: &'a Value) -> Option<&'a Value> {
        let schema = self.resolve(schema);
        if let Some(items) = schema.get("items") {
            return Some(self.resolve(items));
        }
        ["allOf", "anyOf", "oneOf"].iter().find_map(|k| {
            schema
                .get(*k)
                .and_then(Value::as_array)
                .and_then(|subs| subs.iter().find_map(|sub| self.items_schema(sub)))
        })
    }

    /// The schema of property `name`, searching the same combinators.
    fn property_schema<'a>(&'a self, schema: &'a Value, name: &str) -> Option<&'a Value> {
        let schema = self.resolve(schema);
        if let Some(p) = schema.pointer(&format!(
            "/properties/{}",
            name.replace('~', "~0").replace('/', "~1")
        )) {
            return Some(self.resolve(p));
        }
        for k in ["allOf", "anyOf", "oneOf"] {
            for sub in schema
                .get(k)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(p) = self.property_schema(sub, name) {
                    return Some(p);
                }
            }
        }
        None
    }

    /// Every schema of property `name`, through the same combinators.
    fn property_schemas<'a>(
        &'a self,
        schema: &'a Value,
        name: &str,
        out: &mut Vec<&'a Value>,
        depth: usize,
    ) {
        if depth > 16 {
            return;
        }
        let schema = self.resolve(schema);
        if let Some(p) = schema.pointer(&format!(
            "/properties/{}",
            name.replace('~', "~0").replace('/', "~1")
        )) {
            out.push(self.resolve(p));
        }
        for k in ["allOf", "anyOf", "oneOf"] {
            for sub in schema
                .get(k)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                self.property_schemas(sub, name, out, depth + 1);
            }
        }
    }

    /// See [`check_response`].
    pub fn check_response(
        &self,
        method: &str,
        path: &str,
        status: u16,
        body: Option<&Value>,
    ) -> Result<(), String> {
        let op = self
            .operation(method, path)
            .ok_or_else(|| format!("{:?}: no operation for {method} {path}", self.api))?;
        let label = format!(
            "{:?} {} {} ({path}) -> {status}",
            self.api,
            op.method.to_uppercase(),
            op.template
        );
        let responses = op.op.get("responses").and_then(Value::as_object);
        let code = status.to_string();
        let response = responses.and_then(|r| r.get(&code).or_else(|| r.get("default")));
        let mut problems = Vec::new();
        match response.map(|r| self.resolve(r)) {
            None => {
                let vultr_global = self.api == Api::Vultr
                    && (status == 429 || status >= 500 || (400..500).contains(&status));
                if !vultr_global {
                    return Err(format!(
                        "{label}: status {status} is not documented and there is no default"
                    ));
                }
                if (400..500).contains(&status) {
                    problems.extend(vultr_error_attribute(body));
                }
            }
            Some(r) => {
                let schema = r.pointer("/content/application~1json/schema");
                match (schema, body) {
                    (_, Some(b)) if status == 204 => {
                        problems.push(format!("a 204 must have no body, got {b}"))
                    }
                    (Some(schema), Some(b)) => {
                        problems.extend(self.check_body(format!("{label} response"), schema, b));
                    }
                    (Some(_), None) => {
                        problems.push("the spec documents a JSON body, but there is none".into())
                    }
                    (None, b) => {
                        if self.api == Api::Vultr && (400..500).contains(&status) {
                            problems.extend(vultr_error_attribute(b));
                        } else if let Some(b) = b
                            && status < 300
                        {
                            problems.push(format!(
                                "the spec documents no body for this status, got {b}"
                            ));
                        }
                    }
                }
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(format!("{label}:\n  - {}", problems.join("\n  - ")))
        }
    }

    /// See [`check_request`].
    pub fn check_request(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(), String> {
        let op = self
            .operation(method, path)
            .ok_or_else(|| format!("{:?}: no operation for {method} {path}", self.api))?;
        let label = format!(
            "{:?} {} {} ({path}) request",
            self.api,
            op.method.to_uppercase(),
            op.template
        );
        let request = op.op.get("requestBody").map(|r| self.resolve(r));
        let schema = request.and_then(|r| r.pointer("/content/application~1json/schema"));
        let required = request
            .and_then(|r| r.get("required"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let problems = match (schema, body) {
            (Some(schema), Some(b)) => self.check_body(label.clone(), schema, b),
            (Some(_), None) if required => {
                vec!["the spec requires a JSON body, but there is none".into()]
            }
            (None, Some(b)) => vec![format!("the spec documents no JSON body, got {b}")],
            _ => Vec::new(),
        };
        if problems.is_empty() {
            Ok(())
        } else {
            Err(format!("{label}:\n  - {}", problems.join("\n  - ")))
        }
    }
}

/// Rewrites `"$ref": "#/..."` into `"$ref": "<base>#/..."`.
fn absolutize_refs(v: Value, base: &str) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| match (k.as_str(), &v) {
                    ("$ref", Value::String(r)) if r.starts_with('#') => {
                        let abs = Value::String(format!("{base}{r}"));
                        (k, abs)
                    }
                    _ => (k, absolutize_refs(v, base)),
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|i| absolutize_refs(i, base))
                .collect(),
        ),
        other => other,
    }
}

fn vultr_error_attribute(body: Option<&Value>) -> Vec<String> {
    match body.and_then(|b| b.get("error")) {
        Some(Value::String(_)) => Vec::new(),
        _ => vec![format!(
            "a Vultr 4xx must be a JSON object with a string `error`, got {}",
            body.map_or("no body".to_string(), Value::to_string)
        )],
    }
}

/// Checks a response body (`None` = empty) against the spec of `api`.
pub fn check_response(
    api: impl Into<Api>,
    method: &str,
    path: &str,
    status: u16,
    body: Option<&Value>,
) -> Result<(), String> {
    spec(api.into()).check_response(method, path, status, body)
}

/// Checks a request body (`None` = no body) against the spec of `api`.
pub fn check_request(
    api: impl Into<Api>,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> Result<(), String> {
    spec(api.into()).check_request(method, path, body)
}

/// The Linode label pattern as its description states it: begins and ends with a letter or
/// digit, only letters, digits, `-`, `_` and `.`, no `--`, `__` or `..` (length is
/// `minLength`/`maxLength`'s).
const LINODE_LABEL_PATTERN: &str = "^(?!.*(--|__|\\.\\.))[a-zA-Z0-9]([a-zA-Z0-9._-]*[a-zA-Z0-9])?$";

/// Replaces the Linode spec's broken patterns (see the crate documentation).
fn fix_linode_patterns(doc: &mut Value) {
    for schema in ["Linode", "Firewall"] {
        if let Some(p) = doc.pointer_mut(&format!(
            "/components/schemas/{schema}/properties/label/pattern"
        )) {
            *p = Value::String(LINODE_LABEL_PATTERN.into());
        }
    }
    let global = "/paths/~1linode~1instances~1{linodeId}~1ips/get/responses/200/content/application~1json/schema/properties/ipv6/properties/global";
    if let Some(g) = doc.pointer_mut(global) {
        let one = g.clone();
        *g = serde_json::json!({ "anyOf": [one, { "type": "array", "items": one }] });
    }
    if let Some(Value::Object(name)) =
        doc.pointer_mut("/components/schemas/DomainRecord/properties/name")
    {
        name.remove("minLength");
    }
    if let Some(Value::String(p)) =
        doc.pointer_mut("/components/schemas/Domain/properties/domain/pattern")
    {
        *p = p.replace("\\A", "^").replace("\\Z", "$");
    }
    // The live API's `metadata.user_data` (base64 cloud-init user data), which 4.151.1 does
    // not have (the provider-specs README, Linode, "No user data in this version"); it is
    // what Hangar sends on create.
    if let Some(Value::Object(props)) =
        doc.pointer_mut("/components/schemas/LinodeRequest/properties")
    {
        props.insert(
            "metadata".into(),
            serde_json::json!({
                "type": "object",
                "properties": { "user_data": { "type": "string" } },
                "additionalProperties": false,
            }),
        );
    }
}

/// OpenAPI 3.0 → JSON Schema (draft 4): `nullable: true` → `anyOf [schema, null]`;
/// `example`/`examples` dropped (they are not schemas and may hold `id` keys).
fn convert(v: Value) -> Value {
    convert_node(v, false)
}

/// `names_map`: `v` maps property names to schemas (the value of `properties`), so its keys are
/// names, not keywords, and must all be kept.
fn convert_node(v: Value, names_map: bool) -> Value {
    match v {
        Value::Object(map) if names_map => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, convert_node(v, false)))
                .collect(),
        ),
        Value::Object(map) => {
            let nullable = map.get("nullable").and_then(Value::as_bool) == Some(true);
            let mut out = Map::with_capacity(map.len());
            for (k, v) in map {
                match k.as_str() {
                    "example" | "examples" | "nullable" => {}
                    _ => {
                        let names = k == "properties" || k == "patternProperties";
                        out.insert(k, convert_node(v, names));
                    }
                }
            }
            if nullable && !out.contains_key("$ref") {
                let mut wrapper = Map::new();
                wrapper.insert(
                    "anyOf".into(),
                    Value::Array(vec![
                        Value::Object(out),
                        serde_json::json!({ "type": "null" }),
                    ]),
                );
                Value::Object(wrapper)
            } else {
                Value::Object(out)
            }
        }
        Value::Array(items) => {
            Value::Array(items.into_iter().map(|i| convert_node(i, false)).collect())
        }
        other => other,
    }
}
