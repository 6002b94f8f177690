//! Comments and votes by community users on the first objects of each kind.

use std::collections::HashMap;

use super::generation::Generation;
use super::well_known::DATASET_EPOCH;
use crate::records::{Comment, Kind, ObjKey, Vote, comment_tags};
use crate::reports::vocabulary::FAMILIES;
use crate::rng::SeededRng;
use crate::store::Store;

/// Adds comments and votes, then orders every list oldest first.
pub(super) fn add_comments_and_votes(g: &mut Generation<'_>) {
    let (store, ds, seed) = (&mut *g.store, &mut g.ds, g.seed);
    // Comments and votes by community users on the first objects.
    let mut targets: Vec<ObjKey> = ds
        .files
        .iter()
        .take(12)
        .map(|f| (Kind::File, f.sha256.clone()))
        .collect();
    targets.extend(ds.urls.iter().take(4).map(|u| (Kind::Url, u.id.clone())));
    targets.extend(ds.domains.iter().take(4).map(|d| (Kind::Domain, d.clone())));
    targets.extend(
        ds.ip_addresses
            .iter()
            .take(4)
            .map(|d| (Kind::IpAddress, d.clone())),
    );
    for (i, target) in targets.iter().enumerate() {
        let mut rng = SeededRng::derive(seed, "social", i as u64);
        let n_comments = if i == 0 { 3 } else { rng.range(0, 3) };
        for c in 0..n_comments {
            let family = rng.pick(FAMILIES);
            let text = match c % 3 {
                0 => format!(
                    "#{} sample, seen in a phishing campaign",
                    family.to_lowercase()
                ),
                1 => "Looks clean to me, signed by the vendor. #goodware".to_owned(),
                _ => format!("C2 traffic observed #malware #{}", family.to_lowercase()),
            };
            let suffix = store.next_suffix(&format!("c{i}-{c}"));
            let comment = Comment {
                id: format!("{}-{}-{suffix}", target.0.id_prefix(), target.1),
                target: target.clone(),
                author: format!("community-user-{}", rng.range(1, 9)),
                date: DATASET_EPOCH - rng.range(0, 400) * 86_400,
                tags: comment_tags(&text),
                text,
                positive: rng.range(0, 5),
                negative: rng.range(0, 1),
                abuse: 0,
            };
            ds.comments.push(comment.id.clone());
            store.add_comment(comment);
        }
        for v in 0..rng.range(0, 2) {
            let verdict = if rng.chance(0.5) {
                "malicious"
            } else {
                "harmless"
            };
            let suffix = store.next_suffix(&format!("v{i}-{v}"));
            let vote = Vote {
                id: format!("{}-{}-{suffix}", target.0.id_prefix(), target.1),
                owner: format!("community-user-{}", rng.range(1, 9)),
                date: DATASET_EPOCH - rng.range(0, 400) * 86_400,
                value: if verdict == "malicious" { -1 } else { 1 },
                verdict: verdict.to_owned(),
            };
            store.add_vote(target, vote);
        }
    }
    sort_oldest_first(store);
}

/// Lists are kept oldest first (listings reverse them): order by date.
fn sort_oldest_first(store: &mut Store) {
    let dates: HashMap<String, u64> = store
        .comments
        .values()
        .map(|c| (c.id.clone(), c.date))
        .collect();
    let by_date = |a: &String, b: &String| dates.get(a).cmp(&dates.get(b)).then(a.cmp(b));
    store.comment_order.sort_by(by_date);
    for list in store.object_comments.values_mut() {
        list.sort_by(by_date);
    }
    for votes in store.object_votes.values_mut() {
        votes.sort_by(|a, b| a.date.cmp(&b.date).then(a.id.cmp(&b.id)));
    }
}
