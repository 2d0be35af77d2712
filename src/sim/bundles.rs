//! Manifests the course installs from the internet, kept offline: `kubectl apply -f URL` with
//! one of these URLs reads Pocket Cluster's copy (trimmed, and saying so in its first lines);
//! any other URL is refused, as the page has no network.

/// (URL, manifest) for every URL served offline.
pub const BUNDLES: &[(&str, &str)] = &[
    (
        "https://app.getambassador.io/yaml/emissary/3.9.1/emissary-crds.yaml",
        include_str!("../../content/bundles/emissary-crds.yaml"),
    ),
    (
        "https://app.getambassador.io/yaml/emissary/3.9.1/emissary-emissaryns.yaml",
        include_str!("../../content/bundles/emissary-emissaryns.yaml"),
    ),
    (
        "https://raw.githubusercontent.com/kubernetes/ingress-nginx/controller-v1.11.2/deploy/static/provider/cloud/deploy.yaml",
        include_str!("../../content/bundles/ingress-nginx.yaml"),
    ),
];

/// The offline copy of `url`, if there is one.
pub fn fetch(url: &str) -> Option<&'static str> {
    BUNDLES
        .iter()
        .find(|(u, _)| *u == url.trim())
        .map(|(_, text)| *text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundle_parses() {
        for (url, text) in BUNDLES {
            let docs = crate::manifest::parse_each(text, crate::sim::api::Kinds::builtin());
            assert!(docs.is_ok(), "{url}: {:?}", docs.err());
        }
        assert!(fetch("https://example.com/x.yaml").is_none());
    }
}
