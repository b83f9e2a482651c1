//! The config component a plug carries: one of the prebuilt ones in `shipped/`, or, for a
//! `--bucket` mapping, one written here from the same core module text
//! ([`config_module`](super::config_module)), against `wit/kv-adapt/config.wit` alone.

use std::borrow::Cow;

use super::config_module::{config_module_wat, ConfigSettings};
use crate::artifacts;
use crate::error::{Error, Result};
use crate::plan::PlugOptions;
use kv_adapt_convert::counter::Encoding as CounterEncoding;
use wit_component::{ComponentEncoder, StringEncoding};
use wit_parser::Resolve;

const CONFIG_WIT: &str = include_str!("../../wit/kv-adapt/config.wit");

/// The config for `options`: prebuilt when no bucket is renamed.
pub fn for_options(options: &PlugOptions) -> Result<Cow<'static, [u8]>> {
    if options.buckets.is_empty() {
        return Ok(Cow::Borrowed(artifacts::config(options.counter, options.strict_atomics, options.error_sink)));
    }
    let encoding = match options.counter {
        CounterEncoding::Decimal => 0,
        CounterEncoding::Le64 => 1,
        CounterEncoding::Be64 => 2,
    };
    let settings = ConfigSettings {
        encoding,
        strict_atomics: options.strict_atomics,
        reporting: options.error_sink,
        buckets: &options.buckets,
    };
    written(&settings).map(Cow::Owned).map_err(|e| Error::Config(format!("{e:#}")))
}

fn written(settings: &ConfigSettings<'_>) -> anyhow::Result<Vec<u8>> {
    let mut resolve = Resolve::default();
    let package = resolve.push_str("wit/kv-adapt/config.wit", CONFIG_WIT)?;
    let world = resolve.select_world(&[package], Some(if settings.reporting { "config-provider-reporting" } else { "config-provider" }))?;
    let mut module = wat::parse_str(config_module_wat(settings))?;
    wit_component::embed_component_metadata(&mut module, &resolve, world, StringEncoding::UTF8)?;
    ComponentEncoder::default().module(&module)?.validate(true).encode()
}

/// Parses `NAME=BUCKET` (`--bucket`); `default=` maps Spin's store `default` to bucket `""`.
pub fn parse_bucket(arg: &str) -> std::result::Result<(String, String), String> {
    match arg.split_once('=') {
        Some((name, bucket)) => Ok((name.to_string(), bucket.to_string())),
        None => Err(format!("--bucket takes NAME=BUCKET (for example `default=` for the bucket \"\"), not `{arg}`")),
    }
}

/// The renames of label `label`'s adapter: `--bucket LABEL:NAME=BUCKET` for that label
/// (`LABEL:` dropped), and every `--bucket NAME=BUCKET` that names no label of the guest.
pub fn label_buckets(buckets: &[(String, String)], label: &str, labels: &[crate::plan::surface::Label]) -> Vec<(String, String)> {
    let of_some_label = |name: &str| name.split_once(':').filter(|(l, _)| labels.iter().any(|known| known.name == *l)).map(|(l, n)| (l.to_string(), n.to_string()));
    buckets
        .iter()
        .filter_map(|(name, bucket)| match of_some_label(name) {
            Some((l, own)) if l == label => Some((own, bucket.clone())),
            Some(_) => None,
            None => Some((name.clone(), bucket.clone())),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_labels_renames_are_its_own_and_the_unlabelled_ones() {
        use crate::plan::surface::Label;
        let labels = [Label { name: "team-a".into(), implements: "wasi:keyvalue/store@0.2.0-draft".into() }, Label { name: "team-b".into(), implements: "wasi:keyvalue/store@0.2.0-draft".into() }];
        let buckets: Vec<(String, String)> =
            [("team-a:orders", "a-orders"), ("team-b:orders", "b-orders"), ("shared", "common"), ("x:y", "z")].iter().map(|(n, b)| (n.to_string(), b.to_string())).collect();
        let pairs = |v: Vec<(String, String)>| v.into_iter().map(|(n, b)| format!("{n}={b}")).collect::<Vec<_>>();
        assert_eq!(pairs(label_buckets(&buckets, "team-a", &labels)), ["orders=a-orders", "shared=common", "x:y=z"]);
        assert_eq!(pairs(label_buckets(&buckets, "team-b", &labels)), ["orders=b-orders", "shared=common", "x:y=z"]);
    }

    #[test]
    fn a_written_config_matches_the_prebuilt_one_when_nothing_is_renamed() {
        for (counter, encoding) in [(CounterEncoding::Decimal, 0), (CounterEncoding::Le64, 1), (CounterEncoding::Be64, 2)] {
            for strict_atomics in [false, true] {
                for reporting in [false, true] {
                    let settings = ConfigSettings { encoding, strict_atomics, reporting, buckets: &[] };
                    assert_eq!(written(&settings).unwrap(), artifacts::config(counter, strict_atomics, reporting));
                }
            }
        }
    }

    #[test]
    fn bucket_arguments_parse_or_say_what_they_take() {
        assert_eq!(parse_bucket("default="), Ok(("default".into(), String::new())));
        assert_eq!(parse_bucket("a=b=c"), Ok(("a".into(), "b=c".into())));
        assert!(parse_bucket("default").unwrap_err().contains("NAME=BUCKET"));
    }
}
