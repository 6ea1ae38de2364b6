use std::collections::HashMap;

use flagrant::{
    distributor,
    models::{
        identity::{self, HugSql, SQLIdentities},
        rule, segment, variant,
    },
};
use flagrant_types::{
    Comparator, Environment, Feature, FeatureValue, Identity, SegmentDriver,
    payload::{SegmentPatch, SegmentPatchOp, SegmentVariantWeight},
};
use hugsqlx::params;
use sqlx::{Sqlite, SqliteConnection, pool::PoolConnection};

use crate::common::{add_group, add_rule, apply, create_context, create_feature};

mod common;

#[derive(Debug, sqlx::FromRow)]
struct IdentityAttribution {
    identity_id: i32,
    variant_id: i32,
    migrated_id: Option<i32>,
    segment_id: Option<i32>,
    segment_dirty: bool,
}

async fn attribution_for(
    conn: &mut SqliteConnection,
    environment: &Environment,
    feature: &Feature,
    identity_id: i32,
) -> IdentityAttribution {
    let rows: Vec<IdentityAttribution> =
        SQLIdentities::fetch_identities(conn, params![environment.id, feature.id])
            .await
            .unwrap();
    rows.into_iter()
        .find(|r| r.identity_id == identity_id)
        .unwrap()
}

/// Forces resolution of any dirty/unassigned rows for `ident` by simulating the real
/// per-request read path (`GET .../features`, backed by `get_identity_variants`).
async fn resolve(conn: &mut SqliteConnection, environment: &Environment, ident: &Identity) {
    identity::get_identity_variants(conn, environment, ident)
        .await
        .unwrap();
}

/// A segment's `SetFeatureOverride` should write its explicit weights plus a control-variant
/// remainder straight into `variant_weights`, scoped by `segment_id`, without touching the
/// organic (segment_id = NULL) weights at all.
#[testrig::database]
async fn segment_override_writes_into_variant_weights_alongside_organic_weights(
    mut conn: PoolConnection<Sqlite>,
) {
    let (project, environment) = create_context(&mut conn).await;
    let feature = create_feature(&mut conn, &environment, "control").await;

    let alt = variant::create(
        &mut conn,
        &environment,
        &feature,
        FeatureValue::build("alt"),
        40,
    )
    .await
    .unwrap();

    let segment = segment::create(&mut conn, &project, "vip".to_owned(), None)
        .await
        .unwrap();

    let patch = SegmentPatch {
        ops: vec![SegmentPatchOp::SetFeatureOverride {
            feature_id: feature.id,
            environment_id: environment.id,
            variant_weights: vec![SegmentVariantWeight {
                variant_id: alt.id,
                weight: 30,
            }],
        }],
    };
    segment::patch(&mut conn, &project, segment.clone(), patch)
        .await
        .unwrap();

    // Organic (segment_id = NULL) weights are untouched: control=60, alt=40.
    let organic = variant::get_for_feature(&mut conn, &environment, feature.id, None)
        .await
        .unwrap();
    let organic_alt = organic.iter().find(|v| v.id == alt.id).unwrap();
    assert_eq!(organic_alt.weight, 40);

    let organic_control = organic.iter().find(|v| v.is_control()).unwrap();
    assert_eq!(organic_control.weight, 60);

    // Segment-scoped weights: alt=30 (explicit), control=70 (auto-balanced remainder).
    let scoped = variant::get_for_feature(&mut conn, &environment, feature.id, Some(segment.id))
        .await
        .unwrap();
    let scoped_alt = scoped.iter().find(|v| v.id == alt.id).unwrap();
    assert_eq!(scoped_alt.weight, 30);

    let scoped_control = scoped.iter().find(|v| v.is_control()).unwrap();
    assert_eq!(scoped_control.weight, 70);

    // get_segment_weights (backs the editor prefill) only surfaces the explicit override,
    // not the control variant's auto-balanced remainder.
    let overrides = variant::get_segment_weights(&mut conn, segment.id, feature.id, environment.id)
        .await
        .unwrap();
    assert_eq!(overrides, vec![(alt.id, 30)]);

    // list_overrides_for_feature (backs "FEATURE describe") includes the control variant's
    // remainder too, so users can see where the rest of the percentages go.
    let control = organic.iter().find(|v| v.is_control()).unwrap();
    let displayed = segment::list_overrides_for_feature(&mut conn, environment.id, feature.id)
        .await
        .unwrap();
    let (_, _, weights) = displayed.iter().find(|(_, name, _)| name == "vip").unwrap();
    let mut by_id: Vec<(i32, u8)> = weights.iter().map(|w| (w.variant_id, w.weight)).collect();
    let mut expected = vec![(alt.id, 30), (control.id, 70)];

    by_id.sort();
    expected.sort();

    assert_eq!(by_id, expected);
}

/// `list_overridden_features` (backs "SEGMENT describe") should return one entry per
/// feature the segment overrides, each with its explicit weights plus the control
/// variant's auto-balanced remainder - and nothing for features it doesn't touch.
#[testrig::database]
async fn list_overridden_features_groups_by_feature(mut conn: PoolConnection<Sqlite>) {
    let (project, environment) = create_context(&mut conn).await;
    let feature_a = create_feature(&mut conn, &environment, "control-a").await;
    let feature_b = create_feature(&mut conn, &environment, "control-b").await;
    let untouched = create_feature(&mut conn, &environment, "control-c").await;

    let alt_a = variant::create(
        &mut conn,
        &environment,
        &feature_a,
        FeatureValue::build("alt-a"),
        40,
    )
    .await
    .unwrap();
    let alt_b = variant::create(
        &mut conn,
        &environment,
        &feature_b,
        FeatureValue::build("alt-b"),
        40,
    )
    .await
    .unwrap();

    let segment = segment::create(&mut conn, &project, "vip".to_owned(), None)
        .await
        .unwrap();

    for (feature, alt_id) in [(&feature_a, alt_a.id), (&feature_b, alt_b.id)] {
        let patch = SegmentPatch {
            ops: vec![SegmentPatchOp::SetFeatureOverride {
                feature_id: feature.id,
                environment_id: environment.id,
                variant_weights: vec![SegmentVariantWeight {
                    variant_id: alt_id,
                    weight: 25,
                }],
            }],
        };
        segment::patch(&mut conn, &project, segment.clone(), patch)
            .await
            .unwrap();
    }

    let overridden = segment::list_overridden_features(&mut conn, environment.id, segment.id)
        .await
        .unwrap();

    assert_eq!(overridden.len(), 2);
    assert!(!overridden.iter().any(|f| f.feature_id == untouched.id));

    for feature_id in [feature_a.id, feature_b.id] {
        let entry = overridden
            .iter()
            .find(|f| f.feature_id == feature_id)
            .unwrap();
        // One explicit override + one control-variant remainder.
        assert_eq!(entry.weights.len(), 2);
        let explicit = entry.weights.iter().find(|w| !w.is_control).unwrap();
        let control = entry.weights.iter().find(|w| w.is_control).unwrap();
        assert_eq!(explicit.weight, 25);
        assert_eq!(control.weight, 75);
    }
}

/// Distributing with `Some(segment_id)` should converge to that segment's weights and must
/// not perturb the organic (`None`) distribution's accumulators, or vice versa.
#[testrig::database]
async fn distributor_scopes_by_segment_id(mut conn: PoolConnection<Sqlite>) {
    let (project, environment) = create_context(&mut conn).await;
    let feature = create_feature(&mut conn, &environment, "control").await;

    let alt = variant::create(
        &mut conn,
        &environment,
        &feature,
        FeatureValue::build("alt"),
        40,
    )
    .await
    .unwrap();

    let segment = segment::create(&mut conn, &project, "vip".to_owned(), None)
        .await
        .unwrap();
    let patch = SegmentPatch {
        ops: vec![SegmentPatchOp::SetFeatureOverride {
            feature_id: feature.id,
            environment_id: environment.id,
            variant_weights: vec![SegmentVariantWeight {
                variant_id: alt.id,
                weight: 30,
            }],
        }],
    };
    segment::patch(&mut conn, &project, segment.clone(), patch)
        .await
        .unwrap();

    let mut organic_counts: HashMap<i32, u32> = HashMap::new();
    for _ in 0..100 {
        let v = distributor::distribute(&mut conn, &environment, feature.id, None)
            .await
            .unwrap();
        *organic_counts.entry(v.id).or_default() += 1;
    }
    // Organic weights are 60/40 (control/alt).
    let organic_alt_count = *organic_counts.get(&alt.id).unwrap_or(&0);
    assert!(
        (30..=50).contains(&organic_alt_count),
        "expected ~40 organic picks for alt, got {organic_alt_count}"
    );

    let mut segment_counts: HashMap<i32, u32> = HashMap::new();
    for _ in 0..100 {
        let v = distributor::distribute(&mut conn, &environment, feature.id, Some(segment.id))
            .await
            .unwrap();
        *segment_counts.entry(v.id).or_default() += 1;
    }
    // Segment weights are 70/30 (control/alt).
    let segment_alt_count = *segment_counts.get(&alt.id).unwrap_or(&0);
    assert!(
        (20..=40).contains(&segment_alt_count),
        "expected ~30 segment-scoped picks for alt, got {segment_alt_count}"
    );

    // The two scopes converged to different ratios - confirms they're tracked independently.
    assert_ne!(organic_alt_count, segment_alt_count);
}

/// A segment name failing validation must be rejected without leaving a row behind -
/// validated inside the same transaction as the insert, which rolls back on failure,
/// rather than validated after an already-committed write.
#[testrig::database]
async fn create_with_invalid_name_is_rejected_and_not_persisted(mut conn: PoolConnection<Sqlite>) {
    let (project, _environment) = create_context(&mut conn).await;

    let result = segment::create(&mut conn, &project, "beta-testers".to_owned(), None).await;
    assert!(result.is_err());

    let segments = segment::get_all(&mut conn, &project, None).await.unwrap();
    assert!(segments.is_empty());
}

// -- reconciliation: already-distributed identities react to segment state changes -------
//
// Reconciliation is now lazy: a segment mutation only flags affected identity_variants rows
// (`segment_dirty = TRUE`), cheaply and synchronously. The actual re-evaluation happens the
// next time each identity is read via `get_identity_variants` (simulated here by `resolve`)
// - mirroring the real per-request flow (`GET .../features`).

/// An identity organically distributed *before* a segment exists gets migrated into that
/// segment's pool once the segment gains a matching rule + a `SetFeatureOverride` - but only
/// once actually read again; the mutation itself just flags the row dirty.
#[testrig::database]
async fn segment_override_migrates_already_distributed_matching_identity(
    mut conn: PoolConnection<Sqlite>,
) {
    let (project, environment) = create_context(&mut conn).await;
    let feature = create_feature(&mut conn, &environment, "control").await;
    let alt = variant::create(
        &mut conn,
        &environment,
        &feature,
        FeatureValue::build("alt"),
        40,
    )
    .await
    .unwrap();

    let ident = identity::get_or_create_by_value(&mut conn, &environment, "user-vip".to_owned())
        .await
        .unwrap();
    resolve(&mut conn, &environment, &ident).await;
    let before = attribution_for(&mut conn, &environment, &feature, ident.id).await;
    assert_eq!(before.segment_id, None);

    let segment = segment::create(&mut conn, &project, "vip".to_owned(), None)
        .await
        .unwrap();
    apply(
        &mut conn,
        &project,
        segment.clone(),
        vec![
            add_group(None),
            add_rule(
                "group-1",
                SegmentDriver::Identity,
                Comparator::ExactlyMatches,
                "user-vip",
            ),
            SegmentPatchOp::SetFeatureOverride {
                feature_id: feature.id,
                environment_id: environment.id,
                variant_weights: vec![SegmentVariantWeight {
                    variant_id: alt.id,
                    weight: 30,
                }],
            },
        ],
    )
    .await;

    // The mutation only flags the row - it hasn't been re-evaluated yet.
    let flagged = attribution_for(&mut conn, &environment, &feature, ident.id).await;
    assert!(flagged.segment_dirty);
    assert_eq!(flagged.segment_id, None);

    resolve(&mut conn, &environment, &ident).await;

    let after = attribution_for(&mut conn, &environment, &feature, ident.id).await;
    assert_eq!(after.segment_id, Some(segment.id));
    assert!(!after.segment_dirty);
}

/// An identity that doesn't match the new segment's rules is left untouched: it does get
/// flagged (marking is a blanket per-feature operation), but re-evaluating confirms no
/// actual change, so it's never redistributed - no accumulator perturbation, no variant flip.
#[testrig::database]
async fn segment_override_leaves_non_matching_identity_untouched(mut conn: PoolConnection<Sqlite>) {
    let (project, environment) = create_context(&mut conn).await;
    let feature = create_feature(&mut conn, &environment, "control").await;
    let alt = variant::create(
        &mut conn,
        &environment,
        &feature,
        FeatureValue::build("alt"),
        40,
    )
    .await
    .unwrap();

    let ident =
        identity::get_or_create_by_value(&mut conn, &environment, "someone-else".to_owned())
            .await
            .unwrap();
    resolve(&mut conn, &environment, &ident).await;
    let before = attribution_for(&mut conn, &environment, &feature, ident.id).await;

    let segment = segment::create(&mut conn, &project, "vip".to_owned(), None)
        .await
        .unwrap();
    apply(
        &mut conn,
        &project,
        segment.clone(),
        vec![
            add_group(None),
            add_rule(
                "group-1",
                SegmentDriver::Identity,
                Comparator::ExactlyMatches,
                "user-vip",
            ),
            SegmentPatchOp::SetFeatureOverride {
                feature_id: feature.id,
                environment_id: environment.id,
                variant_weights: vec![SegmentVariantWeight {
                    variant_id: alt.id,
                    weight: 30,
                }],
            },
        ],
    )
    .await;

    resolve(&mut conn, &environment, &ident).await;

    let after = attribution_for(&mut conn, &environment, &feature, ident.id).await;
    assert_eq!(after.variant_id, before.variant_id);
    assert!(after.migrated_id.is_none());
    assert_eq!(after.segment_id, None);
    assert!(!after.segment_dirty);
}

/// A pinned (explicitly overridden) identity is never flagged by reconciliation at all, even
/// if it matches the new segment's rules.
#[testrig::database]
async fn segment_override_leaves_pinned_identity_untouched(mut conn: PoolConnection<Sqlite>) {
    let (project, environment) = create_context(&mut conn).await;
    let feature = create_feature(&mut conn, &environment, "control").await;
    let alt = variant::create(
        &mut conn,
        &environment,
        &feature,
        FeatureValue::build("alt"),
        40,
    )
    .await
    .unwrap();

    let ident = identity::get_or_create_by_value(&mut conn, &environment, "user-vip".to_owned())
        .await
        .unwrap();
    let control = variant::get_for_feature(&mut conn, &environment, feature.id, None)
        .await
        .unwrap()
        .into_iter()
        .find(|v| v.is_control())
        .unwrap();
    identity::override_variant(&mut conn, &environment, &ident, feature.id, control.id)
        .await
        .unwrap();

    let segment = segment::create(&mut conn, &project, "vip".to_owned(), None)
        .await
        .unwrap();
    apply(
        &mut conn,
        &project,
        segment.clone(),
        vec![
            add_group(None),
            add_rule(
                "group-1",
                SegmentDriver::Identity,
                Comparator::ExactlyMatches,
                "user-vip",
            ),
            SegmentPatchOp::SetFeatureOverride {
                feature_id: feature.id,
                environment_id: environment.id,
                variant_weights: vec![SegmentVariantWeight {
                    variant_id: alt.id,
                    weight: 30,
                }],
            },
        ],
    )
    .await;

    // Not flagged - mark_feature_dirty excludes pinned rows entirely.
    let flagged = attribution_for(&mut conn, &environment, &feature, ident.id).await;
    assert!(!flagged.segment_dirty);

    resolve(&mut conn, &environment, &ident).await;

    let after = attribution_for(&mut conn, &environment, &feature, ident.id).await;
    assert_eq!(after.variant_id, control.id);
    assert!(after.migrated_id.is_none());
}

/// Adding a rule to a segment that already has an override (a pure rule edit, no
/// `SetFeatureOverride` in the same batch) retroactively migrates newly-matching identities
/// once they're next read.
#[testrig::database]
async fn adding_rule_to_already_overriding_segment_retroactively_migrates(
    mut conn: PoolConnection<Sqlite>,
) {
    let (project, environment) = create_context(&mut conn).await;
    let feature = create_feature(&mut conn, &environment, "control").await;
    let alt = variant::create(
        &mut conn,
        &environment,
        &feature,
        FeatureValue::build("alt"),
        40,
    )
    .await
    .unwrap();

    let segment = segment::create(&mut conn, &project, "vip".to_owned(), None)
        .await
        .unwrap();
    let segment = apply(
        &mut conn,
        &project,
        segment,
        vec![
            add_group(None),
            add_rule(
                "group-1",
                SegmentDriver::Identity,
                Comparator::ExactlyMatches,
                "nobody-yet",
            ),
            SegmentPatchOp::SetFeatureOverride {
                feature_id: feature.id,
                environment_id: environment.id,
                variant_weights: vec![SegmentVariantWeight {
                    variant_id: alt.id,
                    weight: 30,
                }],
            },
        ],
    )
    .await;

    let ident = identity::get_or_create_by_value(&mut conn, &environment, "user-vip".to_owned())
        .await
        .unwrap();
    resolve(&mut conn, &environment, &ident).await;
    assert_eq!(
        attribution_for(&mut conn, &environment, &feature, ident.id)
            .await
            .segment_id,
        None
    );

    apply(
        &mut conn,
        &project,
        segment.clone(),
        vec![add_rule(
            "group-1",
            SegmentDriver::Identity,
            Comparator::ExactlyMatches,
            "user-vip",
        )],
    )
    .await;

    resolve(&mut conn, &environment, &ident).await;

    let after = attribution_for(&mut conn, &environment, &feature, ident.id).await;
    assert_eq!(after.segment_id, Some(segment.id));
}

/// Calling `rule::add` directly (simulating the REST `POST .../rules` endpoint, which
/// bypasses `segment::patch` entirely) still flags reconciliation - not just batched `PATCH`.
#[testrig::database]
async fn direct_rule_add_triggers_reconciliation_not_just_patch(mut conn: PoolConnection<Sqlite>) {
    let (project, environment) = create_context(&mut conn).await;
    let feature = create_feature(&mut conn, &environment, "control").await;
    let alt = variant::create(
        &mut conn,
        &environment,
        &feature,
        FeatureValue::build("alt"),
        40,
    )
    .await
    .unwrap();

    let segment = segment::create(&mut conn, &project, "vip".to_owned(), None)
        .await
        .unwrap();
    let segment = apply(
        &mut conn,
        &project,
        segment,
        vec![
            add_group(None),
            SegmentPatchOp::SetFeatureOverride {
                feature_id: feature.id,
                environment_id: environment.id,
                variant_weights: vec![SegmentVariantWeight {
                    variant_id: alt.id,
                    weight: 30,
                }],
            },
        ],
    )
    .await;

    let ident = identity::get_or_create_by_value(&mut conn, &environment, "user-vip".to_owned())
        .await
        .unwrap();
    resolve(&mut conn, &environment, &ident).await;
    assert_eq!(
        attribution_for(&mut conn, &environment, &feature, ident.id)
            .await
            .segment_id,
        None
    );

    let group_id = segment.groups[0].id;
    rule::add(
        &mut conn,
        segment.id,
        group_id,
        SegmentDriver::Identity,
        Comparator::ExactlyMatches,
        "user-vip".to_owned(),
    )
    .await
    .unwrap();

    resolve(&mut conn, &environment, &ident).await;

    let after = attribution_for(&mut conn, &environment, &feature, ident.id).await;
    assert_eq!(after.segment_id, Some(segment.id));
}

/// Deleting a rule so a previously-matching, already-migrated identity no longer matches
/// causes it to fall back to the organic pool once next read.
#[testrig::database]
async fn deleting_a_rule_falls_the_identity_back_to_organic(mut conn: PoolConnection<Sqlite>) {
    let (project, environment) = create_context(&mut conn).await;
    let feature = create_feature(&mut conn, &environment, "control").await;
    let alt = variant::create(
        &mut conn,
        &environment,
        &feature,
        FeatureValue::build("alt"),
        40,
    )
    .await
    .unwrap();

    let segment = segment::create(&mut conn, &project, "vip".to_owned(), None)
        .await
        .unwrap();
    let segment = apply(
        &mut conn,
        &project,
        segment,
        vec![
            add_group(None),
            add_rule(
                "group-1",
                SegmentDriver::Identity,
                Comparator::ExactlyMatches,
                "user-vip",
            ),
            SegmentPatchOp::SetFeatureOverride {
                feature_id: feature.id,
                environment_id: environment.id,
                variant_weights: vec![SegmentVariantWeight {
                    variant_id: alt.id,
                    weight: 30,
                }],
            },
        ],
    )
    .await;

    let ident = identity::get_or_create_by_value(&mut conn, &environment, "user-vip".to_owned())
        .await
        .unwrap();
    resolve(&mut conn, &environment, &ident).await;
    assert_eq!(
        attribution_for(&mut conn, &environment, &feature, ident.id)
            .await
            .segment_id,
        Some(segment.id)
    );

    let rule_id = segment.groups[0].rules[0].id;
    rule::delete(&mut conn, segment.id, rule_id).await.unwrap();

    resolve(&mut conn, &environment, &ident).await;

    let after = attribution_for(&mut conn, &environment, &feature, ident.id).await;
    assert_eq!(after.segment_id, None);
}

/// Two segments both match an identity; the identity is already correctly attributed to
/// the higher-priority (lower `segment_id`) one. A later, lower-priority segment gaining
/// an override for the same feature must not steal it, once re-evaluated.
#[testrig::database]
async fn higher_priority_segment_keeps_identity_when_a_later_one_also_matches(
    mut conn: PoolConnection<Sqlite>,
) {
    let (project, environment) = create_context(&mut conn).await;
    let feature = create_feature(&mut conn, &environment, "control").await;
    let alt = variant::create(
        &mut conn,
        &environment,
        &feature,
        FeatureValue::build("alt"),
        40,
    )
    .await
    .unwrap();

    let older = segment::create(&mut conn, &project, "older".to_owned(), None)
        .await
        .unwrap();
    let older = apply(
        &mut conn,
        &project,
        older,
        vec![
            add_group(None),
            add_rule(
                "group-1",
                SegmentDriver::Environment,
                Comparator::ExactlyMatches,
                &environment.name,
            ),
            SegmentPatchOp::SetFeatureOverride {
                feature_id: feature.id,
                environment_id: environment.id,
                variant_weights: vec![SegmentVariantWeight {
                    variant_id: alt.id,
                    weight: 15,
                }],
            },
        ],
    )
    .await;

    let ident = identity::get_or_create_by_value(&mut conn, &environment, "any-user".to_owned())
        .await
        .unwrap();
    resolve(&mut conn, &environment, &ident).await;
    assert_eq!(
        attribution_for(&mut conn, &environment, &feature, ident.id)
            .await
            .segment_id,
        Some(older.id)
    );

    let newer = segment::create(&mut conn, &project, "newer".to_owned(), None)
        .await
        .unwrap();
    apply(
        &mut conn,
        &project,
        newer.clone(),
        vec![
            add_group(None),
            add_rule(
                "group-1",
                SegmentDriver::Environment,
                Comparator::ExactlyMatches,
                &environment.name,
            ),
            SegmentPatchOp::SetFeatureOverride {
                feature_id: feature.id,
                environment_id: environment.id,
                variant_weights: vec![SegmentVariantWeight {
                    variant_id: alt.id,
                    weight: 45,
                }],
            },
        ],
    )
    .await;

    resolve(&mut conn, &environment, &ident).await;

    let after = attribution_for(&mut conn, &environment, &feature, ident.id).await;
    assert_eq!(after.segment_id, Some(older.id));
}
