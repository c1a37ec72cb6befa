//! `compose2cfn graph`: the template's resources as a graph, one group per Compose service
//! and network (and one for project-wide plumbing), a solid edge for each `Ref` or
//! `Fn::GetAtt`, a dashed edge for each `DependsOn`. Mermaid for Markdown (GitHub renders
//! it in pull requests), dot for Graphviz.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{Owner, owners, references, short_kind};
use crate::ir::Template;
use crate::model::Project;

/// Graph formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphFormat {
    Mermaid,
    Dot,
}

/// One edge: from, to, whether it is a `DependsOn`.
type Edge<'t> = (&'t str, &'t str, bool);

/// The graph of `template` in `format`, ending in a newline.
#[must_use]
pub fn graph(template: &Template, project: &Project, format: GraphFormat) -> String {
    let owners = owners(template, project);
    let mut groups: BTreeMap<&Owner, Vec<&str>> = BTreeMap::new();
    for (id, owner) in &owners {
        groups.entry(owner).or_default().push(id);
    }
    let mut edges: Vec<Edge> = Vec::new();
    for (id, resource) in &template.resources {
        for target in references(resource, template) {
            edges.push((id, target, false));
        }
        for target in &resource.depends_on {
            edges.push((id, target, true));
        }
    }
    edges.sort_unstable();
    edges.dedup();
    match format {
        GraphFormat::Mermaid => mermaid(template, &groups, &edges),
        GraphFormat::Dot => dot(template, &groups, &edges),
    }
}

/// A group's identifier in the output: letters, digits and `_`.
fn group_id(owner: &Owner) -> String {
    owner
        .label()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

fn mermaid(template: &Template, groups: &BTreeMap<&Owner, Vec<&str>>, edges: &[Edge]) -> String {
    let mut out = String::from("flowchart LR\n");
    for (owner, ids) in groups {
        let _ = writeln!(out, "  subgraph {}[\"{}\"]", group_id(owner), owner.label());
        for id in ids {
            let kind = short_kind(template.resources[*id].kind);
            let _ = writeln!(out, "    {id}[\"{id}<br/><small>{kind}</small>\"]");
        }
        out.push_str("  end\n");
    }
    for (from, to, depends) in edges {
        let arrow = if *depends { "-.->" } else { "-->" };
        let _ = writeln!(out, "  {from} {arrow} {to}");
    }
    out
}

fn dot(template: &Template, groups: &BTreeMap<&Owner, Vec<&str>>, edges: &[Edge]) -> String {
    let mut out = String::from(
        "digraph template {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n",
    );
    for (owner, ids) in groups {
        let _ = writeln!(
            out,
            "  subgraph cluster_{} {{\n    label=\"{}\";",
            group_id(owner),
            owner.label()
        );
        for id in ids {
            let kind = short_kind(template.resources[*id].kind);
            let _ = writeln!(out, "    \"{id}\" [label=\"{id}\\n{kind}\"];");
        }
        out.push_str("  }\n");
    }
    for (from, to, depends) in edges {
        let style = if *depends { " [style=dashed]" } else { "" };
        let _ = writeln!(out, "  \"{from}\" -> \"{to}\"{style};");
    }
    out.push_str("}\n");
    out
}
