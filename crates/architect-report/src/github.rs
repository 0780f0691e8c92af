//! `--format github`: GitHub Actions workflow commands, shown as pull-request annotations.

use architect_model::{Level, Review};

/// Escape a message for a workflow command's data part.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a property value (file, title).
fn escape_prop(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(review: &Review) -> String {
    let mut out = String::new();
    for f in &review.findings {
        let command = match f.level {
            Level::Deny => "error",
            Level::Warn => "warning",
            _ => "notice",
        };
        let mut props = vec![format!("title={}", escape_prop(f.rule))];
        if let Some(l) = f.locations.first() {
            props.insert(
                0,
                format!(
                    "file={},line={},col={}",
                    escape_prop(&l.path),
                    l.line,
                    l.column
                ),
            );
        }
        let mut message = format!("{}\n{}", f.message, f.help);
        if !f.path.is_empty() {
            let chain: Vec<String> = f.path.iter().map(ToString::to_string).collect();
            message.push_str(&format!("\npath: {}", chain.join(" -> ")));
        }
        out.push_str(&format!(
            "::{command} {}::{}\n",
            props.join(","),
            escape_data(&message)
        ));
    }
    out
}
