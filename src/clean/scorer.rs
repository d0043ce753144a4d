//! The learned block scorer: gradient-boosted trees that `scripts/train-extractor` fits on the
//! annotated pages, shipped as `scorer.json` and walked here, one tree after another, for every
//! candidate block. A block whose summed leaves pass the trained threshold is article; the
//! choice then keeps the best block of a page where none passes, drops a block that only repeats
//! shorter ones (a page's second copy of its story), and keeps the images inside the story.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

use super::features::Candidate;
use crate::model::BlockKind;

const MODEL: &str = include_str!("scorer.json");

/// A block most of whose word shingles are in shorter chosen blocks repeats them.
const REPEAT_SHARE: f64 = 0.8;

#[derive(Debug, Deserialize)]
pub struct Forest {
    features: Vec<String>,
    threshold: f64,
    trees: Vec<Tree>,
}

#[derive(Debug, Deserialize)]
struct Tree {
    /// The first node; below zero, the tree is the single leaf `-root - 1`.
    root: i32,
    /// Per node: feature, threshold, left, right (a child below zero is leaf `-child - 1`), and
    /// whether a missing value goes left.
    nodes: Vec<(usize, f64, i32, i32, u8)>,
    leaves: Vec<f64>,
}

impl Tree {
    fn value(&self, x: &[f32]) -> f64 {
        let mut at = self.root;
        while at >= 0 {
            let (feature, threshold, left, right, default_left) = self.nodes[at as usize];
            let value = x.get(feature).copied().unwrap_or(f32::NAN);
            let goes_left = if value.is_nan() { default_left == 1 } else { f64::from(value) <= threshold };
            at = if goes_left { left } else { right };
        }
        self.leaves[(-at - 1) as usize]
    }
}

impl Forest {
    /// The shipped model, read once; none (and a warning) when it does not fit these features.
    pub fn shipped() -> Option<&'static Forest> {
        static FOREST: OnceLock<Option<Forest>> = OnceLock::new();
        FOREST
            .get_or_init(|| match Forest::read(MODEL, &super::features::names()) {
                Ok(forest) => Some(forest),
                Err(why) => {
                    tracing::warn!(%why, "the block scorer is not usable; the rules choose alone");
                    None
                }
            })
            .as_ref()
    }

    pub fn read(json: &str, names: &[String]) -> Result<Forest, String> {
        let forest: Forest = serde_json::from_str(json).map_err(|err| format!("scorer.json: {err}"))?;
        if forest.features != names {
            return Err("scorer.json was trained on other features: run scripts/train-extractor".into());
        }
        for tree in &forest.trees {
            let fits = |child: i32| {
                if child >= 0 {
                    (child as usize) < tree.nodes.len()
                } else {
                    ((-child - 1) as usize) < tree.leaves.len()
                }
            };
            // Children come after their node, so every walk ends at a leaf.
            let forward = |i: usize, child: i32| child < 0 || child as usize > i;
            let nodes_fit = tree
                .nodes
                .iter()
                .enumerate()
                .all(|(i, n)| n.0 < names.len() && fits(n.2) && fits(n.3) && forward(i, n.2) && forward(i, n.3));
            if !fits(tree.root) || !nodes_fit {
                return Err("scorer.json holds a malformed tree".into());
            }
        }
        Ok(forest)
    }

    /// The probability that a block is article.
    pub fn score(&self, x: &[f32]) -> f64 {
        let raw: f64 = self.trees.iter().map(|t| t.value(x)).sum();
        1.0 / (1.0 + (-raw).exp())
    }

    /// The candidates taken for the story, in page order.
    pub fn choose(&self, candidates: &[Candidate]) -> Vec<usize> {
        let scores: Vec<f64> = candidates.iter().map(|c| self.score(&c.features)).collect();
        let texts: Vec<usize> = (0..candidates.len())
            .filter(|&i| candidates[i].block.kind != BlockKind::Image && !candidates[i].text.trim().is_empty())
            .collect();
        let mut picked: Vec<usize> = texts.iter().copied().filter(|&i| scores[i] >= self.threshold).collect();
        if picked.is_empty() {
            picked.extend(texts.iter().copied().max_by(|&a, &b| scores[a].total_cmp(&scores[b])));
        }
        without_repeats(&mut picked, candidates);
        with_images(picked, candidates)
    }
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
    let mut parts: HashMap<usize, usize> = HashMap::new();
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

    /// One tree: a <= 0.5 → leaf 0 (-2.0); else b <= 1.0 → leaf 1 (1.0) else leaf 2 (3.0).
    const ONE_TREE: &str = r#"{"features":["a","b"],"threshold":0.5,"trees":[
        {"root":0,"nodes":[[0,0.5,-1,1,1],[1,1.0,-2,-3,0]],"leaves":[-2.0,1.0,3.0]}]}"#;

    #[test]
    fn a_tree_is_walked_to_its_leaf_and_the_sum_squashed() {
        let forest = Forest::read(ONE_TREE, &names()).unwrap();
        let p = |x: &[f32]| forest.score(x);
        assert!((p(&[0.0, 9.0]) - 1.0 / (1.0 + 2f64.exp())).abs() < 1e-9);
        assert!((p(&[1.0, 0.5]) - 1.0 / (1.0 + (-1f64).exp())).abs() < 1e-9);
        assert!((p(&[1.0, 2.0]) - 1.0 / (1.0 + (-3f64).exp())).abs() < 1e-9);
        // A missing value takes the side the tree learned for it.
        assert!(p(&[f32::NAN, 9.0]) < 0.5);
    }

    #[test]
    fn a_model_for_other_features_or_with_a_loop_is_refused() {
        let other = vec!["a".to_string(), "c".to_string()];
        assert!(Forest::read(ONE_TREE, &other).unwrap_err().contains("other features"));
        let looping = ONE_TREE.replace("[1,1.0,-2,-3,0]", "[1,1.0,0,-3,0]");
        assert!(Forest::read(&looping, &names()).unwrap_err().contains("malformed"));
        let outside = ONE_TREE.replace("[1,1.0,-2,-3,0]", "[7,1.0,-2,-3,0]");
        assert!(Forest::read(&outside, &names()).unwrap_err().contains("malformed"));
        assert!(Forest::read("{", &names()).is_err());
    }

    #[test]
    fn the_shipped_model_fits_the_features_the_extractor_computes() {
        assert!(Forest::shipped().is_some(), "run scripts/train-extractor after changing the features");
    }

    fn candidate(text: &str, a: f32) -> Candidate {
        Candidate { block: Block::new(BlockKind::Paragraph, text), text: text.to_string(), features: vec![a, 0.0] }
    }

    #[test]
    fn a_second_copy_of_the_story_goes_and_a_repeated_line_stays() {
        let forest = Forest::read(ONE_TREE, &names()).unwrap();
        let first = "The council met on Tuesday and agreed to rebuild the old pier.";
        let second = "Work starts in March and should end before the winter storms.";
        let line = "Portion: one green, one red, one yellow.";
        let copy = format!("{first} {second}");
        let candidates = vec![
            candidate(first, 1.0),
            candidate(line, 1.0),
            candidate(second, 1.0),
            candidate(line, 1.0),
            candidate("Menu", 0.0),
            candidate(&copy, 1.0),
        ];
        assert_eq!(forest.choose(&candidates), [0, 1, 2, 3]);
        // A page where nothing passes keeps its best block.
        let weak = vec![candidate("Menu", 0.0), Candidate { features: vec![1.0, 0.0], ..candidate("Story", 0.0) }];
        let forest = Forest::read(&ONE_TREE.replace("\"threshold\":0.5", "\"threshold\":0.99"), &names()).unwrap();
        assert_eq!(forest.choose(&weak), [1]);
    }
}
