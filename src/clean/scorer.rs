//! The learned block scorer: gradient-boosted trees that `scripts/train-extractor` fits on the
//! annotated pages, shipped as `scorer.json` and walked here for every block of text. It runs in
//! two stages: the first forest scores each block on its own features; the second sees those
//! features again with the first forest's scores of the block's neighbours and of the page's
//! best block, so a block is judged by the company it keeps (a block the first forest is sure
//! of is not looked at again). A block whose second score passes the trained threshold is
//! article, unless it is a readers' comment the rules did not keep; the choice then keeps the
//! best block of a page where none passes, drops a block that only repeats shorter ones (a
//! page's second copy of its story), and keeps the images inside the story.

use std::sync::OnceLock;

use rustc_hash::FxHashMap;
use serde::Deserialize;

use super::features::Candidate;
use crate::model::BlockKind;

const MODEL: &str = include_str!("scorer.json");

/// What the second forest reads after a block's own features, in this order.
pub const CONTEXT: [&str; 4] = ["prev_score", "next_score", "best_score_on_page", "share_of_best_score"];

/// Trees walked side by side.
const LANES: usize = 8;

/// A block most of whose word shingles are in shorter chosen blocks repeats them.
const REPEAT_SHARE: f64 = 0.8;

/// `scorer.json` as written by the training script.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Shipped {
    features: Vec<String>,
    context: Vec<String>,
    cascade: f64,
    threshold: f64,
    first: Vec<ShippedTree>,
    second: Vec<ShippedTree>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ShippedTree {
    /// The first node; below zero, the tree is the single leaf `-root - 1`.
    root: i32,
    /// Per node: feature, threshold, left, right (a child below zero is leaf `-child - 1`), and
    /// whether a missing value goes left.
    nodes: Vec<(usize, f64, i32, i32, u8)>,
    leaves: Vec<f64>,
}

/// The two forests and the threshold the second one's score must pass.
pub struct Model {
    /// A block the first forest scores below this keeps that score: the second never reads it.
    cascade: f64,
    threshold: f64,
    first: Forest,
    second: Forest,
}

struct Forest {
    trees: Vec<Tree>,
}

struct Tree {
    root: i32,
    nodes: Vec<Node>,
    leaves: Vec<f64>,
}

/// A split: `value <= threshold` goes left. The threshold is the largest `f32` not above the
/// trained one, so the comparison in `f32` decides as the trained `f64` one does.
#[derive(Clone, Copy)]
struct Node {
    feature: u32,
    threshold: f32,
    left: i32,
    right: i32,
    missing_goes_left: bool,
}

impl Tree {
    fn read(shipped: ShippedTree, width: usize) -> Result<Tree, String> {
        let count = shipped.nodes.len();
        let fits = |child: i32| {
            if child >= 0 {
                (child as usize) < count
            } else {
                ((-child - 1) as usize) < shipped.leaves.len()
            }
        };
        // Children come after their node, so every walk ends at a leaf.
        let forward = |i: usize, child: i32| child < 0 || child as usize > i;
        let well_formed = fits(shipped.root)
            && shipped.nodes.iter().enumerate().all(|(i, n)| {
                n.0 < width && n.1.is_finite() && fits(n.2) && fits(n.3) && forward(i, n.2) && forward(i, n.3)
            });
        if !well_formed {
            return Err("scorer.json holds a malformed tree".into());
        }
        let nodes = shipped
            .nodes
            .iter()
            .map(|&(feature, threshold, left, right, missing_left)| Node {
                feature: feature as u32,
                threshold: f32_at_most(threshold),
                left,
                right,
                missing_goes_left: missing_left == 1,
            })
            .collect();
        Ok(Tree { root: shipped.root, nodes, leaves: shipped.leaves })
    }

    fn value(&self, x: &[f32]) -> f64 {
        let mut at = self.root;
        while at >= 0 {
            at = self.step(at, x);
        }
        self.leaves[(-at - 1) as usize]
    }

    /// Where a walk goes from node `at`.
    fn step(&self, at: i32, x: &[f32]) -> i32 {
        let node = self.nodes[at as usize];
        let value = x[node.feature as usize];
        let goes_left = if value.is_nan() { node.missing_goes_left } else { value <= node.threshold };
        if goes_left {
            node.left
        } else {
            node.right
        }
    }
}

/// The largest `f32` that is not above `value`.
fn f32_at_most(value: f64) -> f32 {
    let narrowed = value as f32;
    if f64::from(narrowed) > value {
        narrowed.next_down()
    } else {
        narrowed
    }
}

impl Forest {
    fn read(trees: Vec<ShippedTree>, width: usize) -> Result<Forest, String> {
        let trees = trees.into_iter().map(|t| Tree::read(t, width)).collect::<Result<_, _>>()?;
        Ok(Forest { trees })
    }

    /// The probability that a block is article. Trees are walked [`LANES`] at a time, so one walk's
    /// wait for memory overlaps the others'; their leaves are still added in the trained order.
    fn score(&self, x: &[f32]) -> f64 {
        let mut raw = 0.0;
        let mut groups = self.trees.chunks_exact(LANES);
        for group in &mut groups {
            let mut at: [i32; LANES] = std::array::from_fn(|lane| group[lane].root);
            while at.iter().any(|&a| a >= 0) {
                for (lane, tree) in group.iter().enumerate() {
                    if at[lane] >= 0 {
                        at[lane] = tree.step(at[lane], x);
                    }
                }
            }
            for (lane, tree) in group.iter().enumerate() {
                raw += tree.leaves[(-at[lane] - 1) as usize];
            }
        }
        for tree in groups.remainder() {
            raw += tree.value(x);
        }
        1.0 / (1.0 + (-raw).exp())
    }
}

impl Model {
    /// The shipped model, read once; none (and a warning) when it does not fit these features.
    pub fn shipped() -> Option<&'static Model> {
        static MODEL_READ: OnceLock<Option<Model>> = OnceLock::new();
        MODEL_READ
            .get_or_init(|| match Model::read(MODEL, &super::features::names()) {
                Ok(model) => Some(model),
                Err(why) => {
                    tracing::warn!(%why, "the block scorer is not usable; the rules choose alone");
                    None
                }
            })
            .as_ref()
    }

    pub fn read(json: &str, names: &[String]) -> Result<Model, String> {
        let shipped: Shipped = serde_json::from_str(json).map_err(|err| format!("scorer.json: {err}"))?;
        if shipped.features != names || shipped.context != CONTEXT {
            return Err("scorer.json was trained on other features: run scripts/train-extractor".into());
        }
        let width = names.len();
        Ok(Model {
            cascade: shipped.cascade,
            threshold: shipped.threshold,
            first: Forest::read(shipped.first, width)?,
            second: Forest::read(shipped.second, width + CONTEXT.len())?,
        })
    }

    /// Each candidate's score; a block without text scores 0.
    pub fn scores(&self, candidates: &[Candidate]) -> Vec<f64> {
        let first: Vec<f64> =
            candidates.iter().map(|c| if has_text(c) { self.first.score(&c.features) } else { 0.0 }).collect();
        let best = first.iter().copied().fold(0.0, f64::max);
        let mut x: Vec<f32> = Vec::new();
        candidates
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if !has_text(c) || first[i] < self.cascade {
                    return first[i];
                }
                let around = |j: Option<usize>| j.and_then(|j| first.get(j)).copied().unwrap_or(0.0);
                x.clear();
                x.extend_from_slice(&c.features);
                x.extend(
                    [around(i.checked_sub(1)), around(Some(i + 1)), best, first[i] / best.max(1e-6)].map(|v| v as f32),
                );
                self.second.score(&x)
            })
            .collect()
    }

    /// The candidates taken for the story, in page order.
    pub fn choose(&self, candidates: &[Candidate]) -> Vec<usize> {
        let scores = self.scores(candidates);
        let texts: Vec<usize> = (0..candidates.len()).filter(|&i| has_text(&candidates[i])).collect();
        let mut picked: Vec<usize> =
            texts.iter().copied().filter(|&i| scores[i] >= self.threshold && !candidates[i].readers_comment).collect();
        if picked.is_empty() {
            picked.extend(texts.iter().copied().max_by(|&a, &b| scores[a].total_cmp(&scores[b])));
        }
        without_repeats(&mut picked, candidates);
        with_images(picked, candidates)
    }
}

fn has_text(candidate: &Candidate) -> bool {
    candidate.block.kind != BlockKind::Image && !candidate.text.trim().is_empty()
}

/// Drops, longest first, each block most of whose shingles are in shorter chosen blocks, none of
/// which holds half of it: a second copy of the story, a list item holding its sub-items. A
/// line repeated as it is stays.
fn without_repeats(picked: &mut Vec<usize>, candidates: &[Candidate]) {
    let shingled: Vec<Vec<u64>> = picked.iter().map(|&i| shingles(&candidates[i].text)).collect();
    // Every (shingle, holder) pair, sorted: a shingle's holders are one run of it.
    let mut held: Vec<(u64, usize)> =
        shingled.iter().enumerate().flat_map(|(k, mine)| mine.iter().map(move |&s| (s, k))).collect();
    held.sort_unstable();
    held.dedup();
    let mut alive = vec![true; picked.len()];
    let mut by_length: Vec<usize> = (0..picked.len()).collect();
    by_length.sort_by_key(|&k| std::cmp::Reverse(shingled[k].len()));
    let mut parts: FxHashMap<usize, usize> = FxHashMap::default();
    for k in by_length {
        let mine = &shingled[k];
        if mine.len() < 4 {
            continue;
        }
        parts.clear();
        let mut repeated = 0;
        for s in mine {
            let start = held.partition_point(|&(h, _)| h < *s);
            let mut found = false;
            for &(_, j) in held[start..].iter().take_while(|(h, _)| h == s) {
                if alive[j] && shingled[j].len() < mine.len() {
                    found = true;
                    *parts.entry(j).or_default() += 1;
                }
            }
            repeated += usize::from(found);
        }
        let largest_part = parts.values().copied().max().unwrap_or(0);
        if repeated as f64 >= REPEAT_SHARE * mine.len() as f64 && largest_part * 2 < mine.len() {
            alive[k] = false;
        }
    }
    let mut k = 0;
    picked.retain(|_| {
        k += 1;
        alive[k - 1]
    });
}

/// The chosen blocks with the images that sit between two of them, in page order.
fn with_images(mut picked: Vec<usize>, candidates: &[Candidate]) -> Vec<usize> {
    picked.sort_unstable();
    let (Some(&first), Some(&last)) = (picked.first(), picked.last()) else { return picked };
    let images = (first..last).filter(|&i| candidates[i].block.kind == BlockKind::Image);
    picked.extend(images);
    picked.sort_unstable();
    picked
}

/// Hashes of a text's word 4-shingles, lower-cased (the text itself when shorter), made without
/// copying the words.
fn shingles(text: &str) -> Vec<u64> {
    let words: Vec<u64> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(|word| {
            let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
            for c in word.chars().flat_map(char::to_lowercase) {
                hash ^= u64::from(c);
                hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
            }
            hash
        })
        .collect();
    let join =
        |words: &[u64]| words.iter().fold(0u64, |acc, w| acc.rotate_left(17) ^ w.wrapping_mul(0x9e37_79b9_7f4a_7c15));
    if words.len() < 4 {
        return if words.is_empty() { Vec::new() } else { vec![join(&words)] };
    }
    words.windows(4).map(join).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Block;

    fn names() -> Vec<String> {
        vec!["a".into(), "b".into()]
    }

    /// First forest, one tree: a <= 0.5 → -2.0; else b <= 1.0 → 1.0, else 3.0. Second forest,
    /// one tree on the context: share_of_best_score (feature 5) <= 0.5 → -1.0, else 2.0. Blocks
    /// the first scores under 0.05 are not read again.
    const TWO_STAGES: &str = r#"{"features":["a","b"],
        "context":["prev_score","next_score","best_score_on_page","share_of_best_score"],"cascade":0.05,"threshold":0.5,
        "first":[{"root":0,"nodes":[[0,0.5,-1,1,1],[1,1.0,-2,-3,0]],"leaves":[-2.0,1.0,3.0]}],
        "second":[{"root":0,"nodes":[[5,0.5,-1,-2,1]],"leaves":[-1.0,2.0]}]}"#;

    fn sigmoid(raw: f64) -> f64 {
        1.0 / (1.0 + (-raw).exp())
    }

    fn candidate(text: &str, a: f32) -> Candidate {
        Candidate {
            block: Block::new(BlockKind::Paragraph, text),
            text: text.to_string(),
            features: vec![a, 0.0],
            readers_comment: false,
        }
    }

    #[test]
    fn each_tree_is_walked_to_its_leaf_and_the_sums_squashed() {
        let model = Model::read(TWO_STAGES, &names()).unwrap();
        assert!((model.first.score(&[0.0, 9.0]) - sigmoid(-2.0)).abs() < 1e-12);
        assert!((model.first.score(&[1.0, 0.5]) - sigmoid(1.0)).abs() < 1e-12);
        assert!((model.first.score(&[1.0, 2.0]) - sigmoid(3.0)).abs() < 1e-12);
        // A missing value takes the side the tree learned for it.
        assert!(model.first.score(&[f32::NAN, 9.0]) < 0.5);
        // A split on a value an f32 cannot hold decides as the f64 one would.
        assert_eq!(f32_at_most(0.1), 0.099_999_994);
        assert_eq!(f32_at_most(0.5), 0.5);
    }

    #[test]
    fn the_second_forest_reads_the_first_ones_scores_around_the_block() {
        let model = Model::read(TWO_STAGES, &names()).unwrap();
        let blocks = vec![candidate("Menu", 0.0), candidate("The story.", 1.0), candidate("", 1.0)];
        let scores = model.scores(&blocks);
        // "Menu" scores far below the page's best block in the first forest, the story is the best.
        assert_eq!(scores, [sigmoid(-1.0), sigmoid(2.0), 0.0]);
        let sure = Model::read(&TWO_STAGES.replace("\"cascade\":0.05", "\"cascade\":0.2"), &names()).unwrap();
        assert_eq!(sure.scores(&blocks), [sigmoid(-2.0), sigmoid(2.0), 0.0]);
    }

    #[test]
    fn a_model_for_other_features_or_with_a_loop_is_refused() {
        let other = vec!["a".to_string(), "c".to_string()];
        assert!(Model::read(TWO_STAGES, &other).err().unwrap().contains("other features"));
        let looping = TWO_STAGES.replace("[1,1.0,-2,-3,0]", "[1,1.0,0,-3,0]");
        assert!(Model::read(&looping, &names()).err().unwrap().contains("malformed"));
        let outside = TWO_STAGES.replace("[1,1.0,-2,-3,0]", "[7,1.0,-2,-3,0]");
        assert!(Model::read(&outside, &names()).err().unwrap().contains("malformed"));
        // The first forest cannot read the context.
        let early = TWO_STAGES.replace("[0,0.5,-1,1,1]", "[5,0.5,-1,1,1]");
        assert!(Model::read(&early, &names()).err().unwrap().contains("malformed"));
        assert!(Model::read("{", &names()).is_err());
    }

    #[test]
    fn the_shipped_model_fits_the_features_the_extractor_computes() {
        assert!(Model::shipped().is_some(), "run scripts/train-extractor after changing the features");
    }

    #[test]
    fn a_second_copy_of_the_story_and_readers_comments_go_and_a_repeated_line_stays() {
        let model = Model::read(TWO_STAGES, &names()).unwrap();
        let first = "The council met on Tuesday and agreed to rebuild the old pier.";
        let second = "Work starts in March and should end before the winter storms.";
        let line = "Portion: one green, one red, one yellow.";
        let copy = format!("{first} {second}");
        let comment = Candidate { readers_comment: true, ..candidate("Great story, thanks for writing it.", 1.0) };
        let candidates = vec![
            candidate(first, 1.0),
            candidate(line, 1.0),
            candidate(second, 1.0),
            candidate(line, 1.0),
            candidate("Menu", 0.0),
            candidate(&copy, 1.0),
            comment,
        ];
        assert_eq!(model.choose(&candidates), [0, 1, 2, 3]);
        // A page where nothing passes keeps its best block.
        let weak = vec![candidate("Menu", 0.0), candidate("Story", 0.0)];
        let strict = Model::read(&TWO_STAGES.replace("\"threshold\":0.5", "\"threshold\":0.99"), &names()).unwrap();
        assert_eq!(strict.choose(&weak).len(), 1);
    }
}
