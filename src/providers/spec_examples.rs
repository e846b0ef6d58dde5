//! Test helper: the response examples of the official OpenAPI specs, read from
//! `$HANGAR_PROVIDER_SPECS`, else `$CARGO_MANIFEST_DIR/../shared/provider-specs`.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use serde_json::Value;

fn load(file: &str) -> &'static Value {
    static SPECS: OnceLock<Mutex<HashMap<String, &'static Value>>> = OnceLock::new();
    let mut specs = SPECS.get_or_init(Default::default).lock().unwrap();
    specs.entry(file.to_string()).or_insert_with(|| {
        let dir = std::env::var("HANGAR_PROVIDER_SPECS")
            .unwrap_or_else(|_| format!("{}/../shared/provider-specs", env!("CARGO_MANIFEST_DIR")));
        let path = format!("{dir}/{file}");
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read the spec {path}: {e}"));
        Box::leak(Box::new(serde_json::from_str(&text).expect("spec is JSON")))
    })
}

fn resolve<'a>(spec: &'a Value, mut v: &'a Value) -> &'a Value {
    while let Some(r) = v.get("$ref").and_then(Value::as_str) {
        let pointer = r.trim_start_matches('#');
        v = spec
            .pointer(pointer)
            .unwrap_or_else(|| panic!("unresolved {r}"));
    }
    v
}

/// Every JSON example of the `status` response of `method path` in `file`, by name.
pub fn response_examples(
    file: &str,
    path: &str,
    method: &str,
    status: &str,
) -> Vec<(String, Value)> {
    let spec = load(file);
    let op = &spec["paths"][path][method];
    assert!(op.is_object(), "{file}: no {method} {path}");
    let response = resolve(spec, &op["responses"][status]);
    let media = resolve(spec, &response["content"]["application/json"]);
    let mut out = Vec::new();
    if let Some(examples) = media.get("examples").and_then(Value::as_object) {
        for (name, ex) in examples {
            out.push((name.clone(), resolve(spec, ex)["value"].clone()));
        }
    }
    if let Some(ex) = media.get("example") {
        out.push(("example".into(), ex.clone()));
    }
    let schema = resolve(spec, &media["schema"]);
    if let Some(ex) = schema.get("example") {
        out.push(("schema example".into(), ex.clone()));
    }
    assert!(
        !out.is_empty(),
        "{file}: {method} {path} {status} has no example"
    );
    out
}

/// An object assembled from the per-property `example`s of `#/components/schemas/<name>`, for
/// schemas whose responses carry no whole example.
pub fn schema_property_examples(file: &str, name: &str) -> Value {
    let spec = load(file);
    let schema = resolve(spec, &spec["components"]["schemas"][name]);
    let props = schema["properties"]
        .as_object()
        .unwrap_or_else(|| panic!("{file}: schema {name} has no properties"));
    Value::Object(
        props
            .iter()
            .filter_map(|(k, v)| {
                resolve(spec, v)
                    .get("example")
                    .map(|e| (k.clone(), e.clone()))
            })
            .collect(),
    )
}
