//! The page's addresses (the location hash): `#/` or `#/course` the course overview,
//! `#/lesson/ID` and `#/lesson/ID/STEP` a lesson at a step (1-based), `#/sandbox` the
//! playground. Anything else is `NotFound`, which the page explains.

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Overview,
    /// A lesson id (not checked here) and a step index (0-based; clamped by the view).
    Lesson(String, usize),
    Sandbox,
    NotFound(String),
}

impl Route {
    /// Read a location hash (`#/lesson/scale/2`, with or without the `#`).
    pub fn parse(hash: &str) -> Route {
        let h = hash.trim_start_matches('#');
        let path = h.split(['?']).next().unwrap_or("");
        let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
        match parts.as_slice() {
            [] | ["course"] => Route::Overview,
            ["sandbox"] => Route::Sandbox,
            ["lesson", id] => Route::Lesson(id.to_string(), 0),
            ["lesson", id, step] => match step.parse::<usize>() {
                Ok(n) if n >= 1 => Route::Lesson(id.to_string(), n - 1),
                _ => Route::NotFound(h.to_string()),
            },
            _ => Route::NotFound(h.to_string()),
        }
    }

    /// The hash that leads here.
    pub fn hash(&self) -> String {
        match self {
            Route::Overview => "#/course".into(),
            Route::Sandbox => "#/sandbox".into(),
            Route::Lesson(id, 0) => format!("#/lesson/{id}"),
            Route::Lesson(id, step) => format!("#/lesson/{id}/{}", step + 1),
            Route::NotFound(h) => format!("#{h}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_read_as_routes_and_back() {
        assert_eq!(Route::parse(""), Route::Overview);
        assert_eq!(Route::parse("#/"), Route::Overview);
        assert_eq!(Route::parse("#/course"), Route::Overview);
        assert_eq!(Route::parse("#/sandbox"), Route::Sandbox);
        assert_eq!(
            Route::parse("#/lesson/scale"),
            Route::Lesson("scale".into(), 0)
        );
        assert_eq!(
            Route::parse("#/lesson/scale/2"),
            Route::Lesson("scale".into(), 1)
        );
        for bad in [
            "#/lesson/scale/0",
            "#/lesson/scale/x",
            "#/nope",
            "#/lesson/a/1/2",
        ] {
            assert!(matches!(Route::parse(bad), Route::NotFound(_)), "{bad}");
        }
        for r in [
            Route::Overview,
            Route::Sandbox,
            Route::Lesson("scale".into(), 0),
            Route::Lesson("scale".into(), 3),
        ] {
            assert_eq!(Route::parse(&r.hash()), r);
        }
        // Any text at all is a route, never a panic.
        for junk in [
            "#",
            "##//",
            "#/lesson/",
            "#/lesson/é/99999999999999999999999",
            "\u{0}",
        ] {
            let _ = Route::parse(junk);
        }
    }
}
