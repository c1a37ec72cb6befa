//! Quota-aware layout. A template within CloudFormation's quotas (500 resources, 200
//! parameters, 200 outputs, 1 MiB) stays one template. Past them, or when asked, the
//! project becomes a root stack that keeps the shared infrastructure (network, cluster,
//! load balancer, file systems, secrets, ...) and nested stacks that hold the services,
//! in groups chosen by a stable hash of each service's name.
//!
//! A group is the set of services whose hashes begin with the same bits. One group holds
//! every service until it would pass a quota (less some headroom for an overlay's
//! additions); then it splits in two by the next bit, and so on. A group is named after
//! its bits with the trailing zeros dropped, so the half whose next bit is 0 keeps its
//! parent's stack: a service changes stacks only when its own group splits, and then only
//! the other half moves. A thousand services take a dozen stacks, not a thousand (an
//! account holds 2,000 stacks by default, nested ones included).
//!
//! A nested template refers to the root's resources, parameters and conditions through
//! parameters of its own: every expression that names only the root's things is computed
//! in the root and passed down (lists joined with commas, read back as
//! `CommaDelimitedList`); a condition a nested resource needs is copied with the parameters
//! it reads. `DependsOn` on another group's resource becomes `DependsOn` between the stack
//! resources, as long as the groups' order makes no cycle.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::sync::Arc;

use foldhash::{HashMap, HashSet};

mod scope;

use super::limits::{MAX_OUTPUTS, MAX_PARAMETERS, MAX_RESOURCES};
use crate::emit::{self, Tree};
use crate::ir::{Map, Parameter, Resource, Template, Value};
use crate::par;
use scope::{Hoisted, Hoister, Scope};

/// Resources and parameters a group leaves free for what an overlay adds.
const HEADROOM: usize = 20;

/// The templates of a project: the root, and the nested ones (which borrow their
/// resources from the template that was split).
#[derive(Debug, Clone, Default)]
pub struct Layout<'a> {
    pub root: Template,
    /// By path, in path order.
    pub nested: Vec<NestedStack<'a>>,
}

/// A nested template and the services it holds.
#[derive(Debug, Clone)]
pub struct NestedStack<'a> {
    /// Its path relative to the root template.
    pub path: String,
    pub group: Group,
    /// The Compose services it holds, by name.
    pub services: Vec<String>,
    /// Its template but for the resources: description, parameters, conditions.
    pub template: Template,
    /// Its resources by logical ID, as the template that was split holds them: they are
    /// rewritten as they are written ([`NestedStack::document`]), never copied first.
    resources: Vec<Member<'a>>,
    /// The template that was split.
    parent: &'a Template,
    /// The logical IDs of each service's resources, sorted: what its resources name
    /// locally.
    locals: Vec<Vec<&'a str>>,
    /// The parameters the root passes down, by the expression each carries.
    carried: HashMap<Value, String>,
}

/// A resource of a nested stack.
#[derive(Debug, Clone)]
struct Member<'a> {
    id: &'a str,
    resource: &'a Resource,
    /// Its `DependsOn` within the stack (the rest is the stack resource's).
    depends_on: BTreeSet<String>,
    /// Its service, an index into [`NestedStack::locals`].
    service: usize,
}

impl NestedStack<'_> {
    /// The nested template as a tree (see [`NestedStack::write`]).
    #[must_use]
    pub fn document(&self) -> Tree {
        let mut sink = emit::TreeSink::default();
        self.write(&mut sink);
        sink.finish()
    }

    /// The nested template as YAML, written straight from the resources.
    #[must_use]
    pub fn yaml(&self) -> String {
        let mut yaml = emit::Yaml::for_template(&self.template, self.resources.len());
        self.write(&mut yaml);
        yaml.finish()
    }

    /// Writes the nested template into `sink`: each resource rewritten for it as it is
    /// written (what names the parent's things refers to the parameters that carry them,
    /// as the split decided), on every core for a large stack.
    pub fn write<S: emit::Sink>(&self, sink: &mut S) {
        emit::write_with(&self.template, sink, self.resources.len(), |sink| {
            for member in &self.resources {
                let scope = Scope {
                    parent: self.parent,
                    local: &self.locals[member.service],
                };
                sink.key(member.id);
                emit::resource(sink, member.resource, &member.depends_on, &mut |v| {
                    scope.rewrite(v, &self.carried)
                });
            }
        });
    }

    /// The logical IDs of its resources.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.resources.iter().map(|member| member.id)
    }
}

/// A group of services: those whose [`hash`] begins with the `depth` bits `bits`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Group {
    depth: u32,
    bits: u64,
}

impl Group {
    /// Every service.
    pub const ALL: Group = Group { depth: 0, bits: 0 };

    /// The two halves, by the next bit.
    fn halves(self) -> [Group; 2] {
        let depth = self.depth + 1;
        [
            Group {
                depth,
                bits: self.bits << 1,
            },
            Group {
                depth,
                bits: self.bits << 1 | 1,
            },
        ]
    }

    /// Whether the next bit of `hash` is 1.
    fn upper(self, hash: u64) -> bool {
        hash << self.depth >> 63 == 1
    }

    /// Its bits, `0`s and `1`s.
    fn prefix(self) -> String {
        (0..self.depth)
            .rev()
            .map(|i| if self.bits >> i & 1 == 1 { '1' } else { '0' })
            .collect()
    }

    /// Its bits, trailing zeros dropped (empty for [`Group::ALL`] and its lower halves).
    fn label(self) -> String {
        self.prefix().trim_end_matches('0').to_string()
    }

    /// The logical ID of its stack (and its file's name).
    #[must_use]
    pub fn stack_id(self) -> String {
        format!("Services{}", self.label())
    }
}

/// Whether a template is within the counted quotas (resources, parameters, outputs); its
/// size in bytes is known only once it is written.
#[must_use]
pub fn within_counts(template: &Template) -> bool {
    template.resources.len() <= MAX_RESOURCES
        && template.parameters.len() <= MAX_PARAMETERS
        && template.outputs.len() <= MAX_OUTPUTS
}

/// The folder of the nested templates, beside the root template.
#[must_use]
pub fn folder(project: &str) -> String {
    format!("{project}.stacks")
}

/// A service's place in the hash order: FNV-1a of its name, bits mixed (MurmurHash3's
/// finaliser) so that similar names spread. Never change it: services would move.
fn hash(service: &str) -> u64 {
    let mut hash = fnv(service.as_bytes());
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xff51_afd7_ed55_8ccd);
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    hash ^ hash >> 33
}

/// Splits a template into a root stack and nested stacks (see the module documentation);
/// the groups in `finer` are split further even though they fit the counted quotas (their
/// template was too large in bytes).
#[must_use]
pub fn split<'a>(template: &'a Template, project: &str, finer: &[Group]) -> Layout<'a> {
    let folder = folder(project);
    let mut root = Template {
        description: template.description.clone(),
        metadata: template.metadata.clone(),
        parameters: template.parameters.clone(),
        rules: template.rules.clone(),
        conditions: template.conditions.clone(),
        outputs: template.outputs.clone(),
        ..Template::default()
    };
    // Hashed, then sorted by service once: a B-tree looked up per resource compared
    // names a dozen times each.
    let mut owned: HashMap<&str, Vec<(&str, &Resource)>> = HashMap::default();
    for (id, resource) in &template.resources {
        match &resource.owner {
            Some(service) => owned.entry(service).or_default().push((id, resource)),
            None => {
                root.resources.insert(id.clone(), resource.clone());
            }
        }
    }
    // Each service's resources are rewritten on their own, on every core. A parameter's
    // name depends only on the expression it carries, so each thread's memo of them
    // gives the names the others would.
    let mut owned: Vec<_> = owned.into_iter().collect();
    owned.sort_unstable_by_key(|(service, _)| *service);
    let mut pieces: Vec<Piece> = par::chunks(&owned, par::MIN_SERVICES, |chunk| {
        let mut hoisted = HashMap::default();
        chunk
            .iter()
            .map(|(service, resources)| Piece::new(template, service, resources, &mut hoisted))
            .collect::<Vec<_>>()
    })
    .into_iter()
    .flatten()
    .collect();
    pieces.sort_by(|a, b| (a.hash, &a.service).cmp(&(b.hash, &b.service)));
    let mut groups = Vec::new();
    place(
        &pieces,
        0..pieces.len(),
        Group::ALL,
        false,
        finer,
        &mut groups,
    );

    // Which group holds each service's resources.
    let mut group_of: HashMap<&str, Group> = HashMap::default();
    for (group, range) in &groups {
        for piece in &pieces[range.clone()] {
            for id in &piece.ids {
                group_of.insert(id, *group);
            }
        }
    }
    // Each group's stack is assembled on its own, on every core.
    let mut pieces = pieces.into_iter();
    let groups: Vec<(Group, Vec<Piece>)> = groups
        .into_iter()
        .map(|(group, range)| (group, pieces.by_ref().take(range.len()).collect()))
        .collect();
    let stacks: Vec<Assembled> = par::chunks_weighed(
        groups,
        |(_, members)| members.len(),
        par::MIN_SERVICES,
        |chunk| {
            chunk
                .into_iter()
                .map(|(group, members)| assemble(group, members, project, &group_of))
                .collect::<Vec<_>>()
        },
    )
    .into_iter()
    .flatten()
    .collect();
    let order = acyclic(
        stacks
            .iter()
            .map(|s| (s.id.clone(), s.after_stacks.clone()))
            .collect(),
    );
    let mut layout = Layout::default();
    for stack in stacks {
        let path = format!("{folder}/{}.yaml", stack.id);
        let parameters = stack
            .passed
            .iter()
            .map(|h| (h.name.clone(), passed_value(h.value.clone(), h.list)))
            .collect();
        let mut depends_on = stack.after_root;
        depends_on.extend(order.get(&stack.id).into_iter().flatten().cloned());
        root.resources
            .insert(stack.id, stack_resource(&path, parameters, depends_on));
        layout.nested.push(NestedStack {
            path,
            group: stack.group,
            services: stack.services,
            template: stack.template,
            resources: stack.resources,
            parent: template,
            locals: stack.locals,
            carried: stack
                .passed
                .iter()
                .map(|h| (h.value.clone(), h.name.clone()))
                .collect(),
        });
    }
    layout.nested.sort_by(|a, b| a.path.cmp(&b.path));
    // The relative `TemplateURL`s are for `aws cloudformation package`, as intended.
    root.ignore_lint("W3002");
    layout.root = root;
    layout
}

/// The groups of `pieces[range]` (sorted by hash, all in `group`): the group itself if
/// it fits, else its halves' groups. `forced` splits a group that fits (it is in `finer`,
/// or its parent was and this half holds all of the parent's services).
fn place(
    pieces: &[Piece],
    range: Range<usize>,
    group: Group,
    forced: bool,
    finer: &[Group],
    out: &mut Vec<(Group, Range<usize>)>,
) {
    let members = &pieces[range.clone()];
    let forced = forced || finer.contains(&group);
    if members.len() < 2 || group.depth == 64 || (!forced && fits(members)) {
        if !members.is_empty() {
            out.push((group, range));
        }
        return;
    }
    let middle = range.start + members.partition_point(|p| !group.upper(p.hash));
    let [lower, upper] = group.halves();
    let lopsided = middle == range.start || middle == range.end;
    place(
        pieces,
        range.start..middle,
        lower,
        forced && lopsided,
        finer,
        out,
    );
    place(
        pieces,
        middle..range.end,
        upper,
        forced && lopsided,
        finer,
        out,
    );
}

/// Whether services fit one nested stack by the counted quotas, with headroom.
fn fits(members: &[Piece]) -> bool {
    let resources: usize = members.iter().map(|p| p.resources.len()).sum();
    if resources > MAX_RESOURCES - HEADROOM {
        return false;
    }
    // Only counted, never walked in order: a hash set (a B-tree's took 7.6 M instructions
    // instead of 3.4 M to place 1,000 services, all on one core).
    let mut parameters: HashSet<&str> = HashSet::default();
    members
        .iter()
        .flat_map(|p| p.parameters.iter().map(|h| h.name.as_str()))
        .all(|name| {
            parameters.insert(name);
            parameters.len() <= MAX_PARAMETERS - HEADROOM
        })
}

/// One service's resources, and what a nested stack needs to hold them.
struct Piece<'a> {
    service: &'a str,
    hash: u64,
    /// By logical ID.
    resources: Vec<(&'a str, &'a Resource)>,
    /// Their logical IDs (sorted): what its expressions name locally.
    ids: Vec<&'a str>,
    /// The parameters they take, by name.
    parameters: Vec<Arc<Hoisted>>,
    conditions: BTreeMap<String, Value>,
}

impl<'a> Piece<'a> {
    /// The parameters and conditions the service's resources need in a nested stack, and
    /// how they are rewritten (nothing is rewritten yet).
    fn new(
        template: &'a Template,
        service: &'a str,
        resources: &[(&'a str, &'a Resource)],
        hoisted: &mut HashMap<Value, Arc<Hoisted>>,
    ) -> Piece<'a> {
        let mut ids: Vec<&str> = resources.iter().map(|(id, _)| *id).collect();
        ids.sort_unstable();
        let scope = Scope {
            parent: template,
            local: &ids,
        };
        let mut hoister = Hoister::new(scope, hoisted);
        for (_, resource) in resources {
            hoister.discover(&resource.properties);
            if let Some(metadata) = &resource.metadata {
                hoister.discover(metadata);
            }
            if let Some(condition) = resource.condition {
                hoister.condition(condition);
            }
        }
        let Hoister {
            mut names,
            conditions,
            ..
        } = hoister;
        names.sort_by(|a, b| a.name.cmp(&b.name));
        Piece {
            service,
            hash: hash(service),
            resources: resources.to_vec(),
            ids,
            parameters: names,
            conditions,
        }
    }
}

/// A group's nested stack, before the root's stack resource is made.
struct Assembled<'a> {
    group: Group,
    id: String,
    services: Vec<String>,
    template: Template,
    /// By logical ID.
    resources: Vec<Member<'a>>,
    /// The logical IDs of each service's resources (see [`NestedStack::locals`]).
    locals: Vec<Vec<&'a str>>,
    /// What the root passes down, by name.
    passed: Vec<Arc<Hoisted>>,
    /// Root resources its resources wait for.
    after_root: BTreeSet<String>,
    /// Other groups' stacks its resources wait for.
    after_stacks: BTreeSet<String>,
}

fn assemble<'a>(
    group: Group,
    members: Vec<Piece<'a>>,
    project: &str,
    group_of: &HashMap<&str, Group>,
) -> Assembled<'a> {
    let mut template = Template {
        description: if group == Group::ALL {
            format!("The services of the Compose project `{project}`, compiled by compose2cfn")
        } else {
            format!(
                "The services of the Compose project `{project}` whose names hash to bits {}..., compiled by compose2cfn",
                group.prefix()
            )
        },
        ..Template::default()
    };
    let mut services = Vec::with_capacity(members.len());
    let mut resources = Vec::new();
    let mut locals = Vec::with_capacity(members.len());
    let mut passed: Vec<Arc<Hoisted>> = members
        .iter()
        .flat_map(|piece| piece.parameters.iter().cloned())
        .collect();
    passed.sort_by(|a, b| a.name.cmp(&b.name));
    passed.dedup_by(|a, b| a.name == b.name);
    let (mut after_root, mut after_stacks) = (BTreeSet::new(), BTreeSet::new());
    for (service, piece) in members.into_iter().enumerate() {
        services.push(piece.service.to_string());
        locals.push(piece.ids);
        template.conditions.extend(piece.conditions);
        for (id, resource) in piece.resources {
            let mut depends_on = BTreeSet::new();
            for dep in &resource.depends_on {
                match group_of.get(dep.as_str()) {
                    Some(other) if *other == group => {
                        depends_on.insert(dep.clone());
                    }
                    Some(other) => {
                        after_stacks.insert(other.stack_id());
                    }
                    None => {
                        after_root.insert(dep.clone());
                    }
                }
            }
            resources.push(Member {
                id,
                resource,
                depends_on,
                service,
            });
        }
    }
    services.sort();
    resources.sort_by(|a, b| a.id.cmp(b.id));
    for hoisted in &passed {
        template
            .parameters
            .insert(hoisted.name.clone(), parameter(&hoisted.name, hoisted.list));
    }
    Assembled {
        group,
        id: group.stack_id(),
        services,
        template,
        resources,
        locals,
        passed,
        after_root,
        after_stacks,
    }
}

/// `edges` (a stack → the stacks it waits for) without the edges that would close a
/// cycle: a depth-first walk in name order drops each edge back to a stack on its path.
/// CloudFormation refuses cycles; ECS services start in any order anyway, `depends_on`
/// only orders their creation.
fn acyclic(edges: BTreeMap<String, BTreeSet<String>>) -> BTreeMap<String, BTreeSet<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        New,
        OnPath,
        Done,
    }
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, State>,
        kept: &mut BTreeMap<String, BTreeSet<String>>,
    ) {
        state.insert(node.to_string(), State::OnPath);
        for next in edges.get(node).into_iter().flatten() {
            match state.get(next).copied().unwrap_or(State::New) {
                State::OnPath => continue,
                State::New => visit(next, edges, state, kept),
                State::Done => {}
            }
            kept.entry(node.to_string())
                .or_default()
                .insert(next.clone());
        }
        state.insert(node.to_string(), State::Done);
    }
    let mut state = BTreeMap::new();
    let mut kept = BTreeMap::new();
    for node in edges.keys() {
        if state.get(node).copied().unwrap_or(State::New) == State::New {
            visit(node, &edges, &mut state, &mut kept);
        }
    }
    kept
}

fn parameter(name: &str, list: bool) -> Parameter {
    Parameter::new(
        if list { "CommaDelimitedList" } else { "String" },
        format!("`{name}`, from the parent stack"),
    )
}

/// A value as a parent passes it: a list joined with commas.
fn passed_value(value: Value, list: bool) -> Value {
    if list { Value::join(",", value) } else { value }
}

fn stack_resource(url: &str, parameters: Map, depends_on: BTreeSet<String>) -> Resource {
    let mut properties = Map::new();
    if !parameters.is_empty() {
        properties.insert("Parameters", Value::Map(parameters));
    }
    properties.insert("TemplateURL", Value::str(url.to_string()));
    Resource::new("AWS::CloudFormation::Stack", Value::Map(properties)).depends_on(depends_on)
}

/// FNV-1a: a small, stable hash (`std`'s hasher may change between releases).
fn fnv(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(prefix: &str) -> Group {
        prefix
            .chars()
            .fold(Group::ALL, |g, bit| g.halves()[usize::from(bit == '1')])
    }

    #[test]
    fn a_group_is_named_after_its_bits_without_trailing_zeros() {
        for (prefix, id) in [
            ("", "Services"),
            ("0", "Services"),
            ("00", "Services"),
            ("1", "Services1"),
            ("10", "Services1"),
            ("01", "Services01"),
            ("0110", "Services011"),
        ] {
            assert_eq!(group(prefix).prefix(), prefix);
            assert_eq!(group(prefix).stack_id(), id, "{prefix}");
        }
    }

    #[test]
    fn halves_split_by_the_next_bit() {
        let hash = 0b1011u64 << 60;
        assert!(Group::ALL.upper(hash));
        assert!(!group("1").upper(hash));
        assert!(group("10").upper(hash));
        assert!(group("101").upper(hash));
    }

    #[test]
    fn similar_names_spread_over_the_halves() {
        let upper = (0..1000)
            .filter(|i| Group::ALL.upper(hash(&format!("svc{i:04}"))))
            .count();
        assert!((450..=550).contains(&upper), "{upper} of 1000");
    }

    #[test]
    fn cycles_lose_the_edge_that_closes_them() {
        let edges: BTreeMap<String, BTreeSet<String>> = [
            ("A", vec!["B"]),
            ("B", vec!["C"]),
            ("C", vec!["A", "D"]),
            ("D", vec![]),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.into_iter().map(String::from).collect()))
        .collect();
        let kept = acyclic(edges);
        let flat: Vec<(String, String)> = kept
            .into_iter()
            .flat_map(|(k, v)| v.into_iter().map(move |t| (k.clone(), t)))
            .collect();
        let expected = [("A", "B"), ("B", "C"), ("C", "D")];
        assert_eq!(flat, expected.map(|(a, b)| (a.to_string(), b.to_string())));
    }
}
