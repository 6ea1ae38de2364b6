use common::{create_context, create_environment, random_string};
use flagrant::errors::FlagrantError;
use flagrant::models::{environment, feature, project, variant};
use flagrant_types::{
    FeatureValue,
    payload::{FeaturePatch, TagPatchOp, VariantPatchOp},
};
use smallvec::smallvec;
use sqlx::{Sqlite, pool::PoolConnection};

use crate::common::create_feature;

mod common;

#[testrig::database]
async fn create_project(mut conn: PoolConnection<Sqlite>) {
    let name = "Sample_project";
    let project = project::create(&mut conn, name.to_owned()).await.unwrap();

    assert_eq!(project.name, name);
}

#[testrig::database]
async fn create_feature_with_default_value(mut conn: PoolConnection<Sqlite>) {
    let (_, environment) = create_context(&mut conn).await;
    let value = FeatureValue::Json("{\"foo\": 2}".to_owned());
    let feature = feature::create(
        &mut conn,
        &environment,
        "featuriozzo".to_owned(),
        Some("descriptozzo".to_owned()),
        value.clone(),
        true,
    )
    .await
    .unwrap();

    assert_eq!(feature.variants.len(), 1);
    assert_eq!(feature.get_default_value(), &value);

    let default_variant = feature.get_default_variant();

    assert_eq!(default_variant.weight, 100);
    assert!(default_variant.is_control());
}

#[testrig::database]
async fn create_feature_propagates_default_variant_to_existing_envs(
    mut conn: PoolConnection<Sqlite>,
) {
    let (project, environment1) = create_context(&mut conn).await;
    let environment2 = create_environment(&mut conn, &project).await;
    let value = FeatureValue::build("foo");

    let feature = feature::create(
        &mut conn,
        &environment1,
        "propagation_test".to_owned(),
        Some("samle description".to_owned()),
        value.clone(),
        true,
    )
    .await
    .unwrap();

    assert_eq!(feature.get_default_value(), &value);

    let feature_env2 = feature::get_by_id(&mut conn, &environment2, feature.id)
        .await
        .unwrap();
    assert_eq!(feature_env2.get_default_value(), &value);
}

#[testrig::database]
async fn same_control_value_is_allowed_across_environments(mut conn: PoolConnection<Sqlite>) {
    let (project, environment1) = create_context(&mut conn).await;
    let environment2 = create_environment(&mut conn, &project).await;
    let value = FeatureValue::build("shared-default");

    let feature = create_feature(&mut conn, &environment1, "foo").await;

    // Both environments set the same control value - this must not violate the unique constraint.
    feature::update_one(&mut conn, &environment1, &feature)
        .value(value.clone())
        .update()
        .await
        .unwrap();

    feature::update_one(&mut conn, &environment2, &feature)
        .value(value.clone())
        .update()
        .await
        .unwrap();

    assert_eq!(
        feature::get_by_id(&mut conn, &environment1, feature.id)
            .await
            .unwrap()
            .get_default_value(),
        &value
    );
    assert_eq!(
        feature::get_by_id(&mut conn, &environment2, feature.id)
            .await
            .unwrap()
            .get_default_value(),
        &value
    );
}

#[testrig::database]
async fn create_feature_with_missing_default_variant_in_other_env(
    mut conn: PoolConnection<Sqlite>,
) {
    let (project, environment1) = create_context(&mut conn).await;
    let environment2 = create_environment(&mut conn, &project).await;
    let feature = create_feature(&mut conn, &environment1, "foo").await;

    variant::create(
        &mut conn,
        &environment1,
        &feature,
        FeatureValue::build("bar"),
        40,
    )
    .await
    .unwrap();

    // Default variant is now propagated to environment2 at feature creation time.
    // The non-control "bar" variant (NULL env_id) is also visible with weight 0.
    let feature = feature::get_by_id(&mut conn, &environment2, feature.id)
        .await
        .unwrap();
    assert_eq!(feature.variants.len(), 2);

    // Updating the default value in environment2 does not affect environment1.
    feature::update_one(&mut conn, &environment2, &feature)
        .value(FeatureValue::build("bazz"))
        .update()
        .await
        .unwrap();

    let feature = feature::get_by_id(&mut conn, &environment2, feature.id)
        .await
        .unwrap();
    assert_eq!(feature.variants.len(), 2);
}

#[testrig::database]
async fn create_feature_with_different_values_in_envs(mut conn: PoolConnection<Sqlite>) {
    let (project, environment1) = create_context(&mut conn).await;
    let environment2 = create_environment(&mut conn, &project).await;
    let feature = create_feature(&mut conn, &environment1, "foo").await;

    feature::update_one(&mut conn, &environment2, &feature)
        .value(FeatureValue::build("bazz"))
        .update()
        .await
        .unwrap();

    let fv1 = FeatureValue::Text("foo".to_string());
    let fv2 = FeatureValue::Text("bazz".to_string());

    let feature = feature::get_by_id(&mut conn, &environment1, feature.id)
        .await
        .unwrap();
    assert_eq!(feature.get_default_value(), &fv1);

    let feature = feature::get_by_id(&mut conn, &environment2, feature.id)
        .await
        .unwrap();
    assert_eq!(feature.get_default_value(), &fv2);
}

#[testrig::database]
async fn create_feature_with_invalid_name(mut conn: PoolConnection<Sqlite>) {
    let (_, environment) = create_context(&mut conn).await;
    for name in [" ble", "123", "1feature", "my feature", "💕333", "foo-bazz"] {
        let feature = feature::create(
            &mut conn,
            &environment,
            name.to_owned(),
            None,
            FeatureValue::Text("foo".to_owned()),
            false,
        )
        .await;
        assert!(feature.is_err())
    }

    // Name too long
    let feature = feature::create(
        &mut conn,
        &environment,
        format!("F_{}", random_string(1024)),
        None,
        FeatureValue::Text("foo".to_owned()),
        false,
    )
    .await;
    assert!(feature.is_err())
}

#[testrig::database]
#[should_panic]
async fn create_feature_with_non_unique_name(mut conn: PoolConnection<Sqlite>) {
    let (_, environment) = create_context(&mut conn).await;
    let name = "should_be_unique";

    feature::create(
        &mut conn,
        &environment,
        name.to_owned(),
        None,
        FeatureValue::Text("foo".to_owned()),
        false,
    )
    .await
    .unwrap();

    feature::create(
        &mut conn,
        &environment,
        name.to_owned(),
        None,
        FeatureValue::Text("foo".to_owned()),
        false,
    )
    .await
    .unwrap();
}

#[testrig::database]
async fn delete_feature_with_default_value(mut conn: PoolConnection<Sqlite>) {
    let (_, environment) = create_context(&mut conn).await;
    let feature = create_feature(&mut conn, &environment, "foo").await;

    assert!(
        feature::delete(&mut conn, &environment, &feature)
            .await
            .is_ok()
    );
    assert!(
        feature::get_by_id(&mut conn, &environment, feature.id)
            .await
            .is_err()
    );
}

#[testrig::database]
async fn delete_feature_with_variants(mut conn: PoolConnection<Sqlite>) {
    let (_, environment) = create_context(&mut conn).await;
    let feature = create_feature(&mut conn, &environment, "foo").await;

    variant::create(
        &mut conn,
        &environment,
        &feature,
        FeatureValue::build("bar-1"),
        10,
    )
    .await
    .unwrap();

    variant::create(
        &mut conn,
        &environment,
        &feature,
        FeatureValue::build("bar-2"),
        10,
    )
    .await
    .unwrap();

    assert!(
        feature::delete(&mut conn, &environment, &feature)
            .await
            .is_ok()
    );
    assert!(
        feature::get_by_id(&mut conn, &environment, feature.id)
            .await
            .is_err()
    );
}

#[testrig::database]
async fn delete_feature_with_multiple_environments(mut conn: PoolConnection<Sqlite>) {
    // Feature creation seeds a control variant per environment. Deletion from one
    // environment must still remove all control variants (and their weights) across
    // every environment - otherwise the FK on variant_weights blocks variants deletion.
    let (project, environment1) = create_context(&mut conn).await;
    let environment2 = create_environment(&mut conn, &project).await;
    let feature = create_feature(&mut conn, &environment1, "foo").await;

    // Sanity: the feature is visible from both environments.
    assert!(
        feature::get_by_id(&mut conn, &environment1, feature.id)
            .await
            .is_ok()
    );
    assert!(
        feature::get_by_id(&mut conn, &environment2, feature.id)
            .await
            .is_ok()
    );

    assert!(
        feature::delete(&mut conn, &environment1, &feature)
            .await
            .is_ok()
    );
    assert!(
        feature::get_by_id(&mut conn, &environment1, feature.id)
            .await
            .is_err()
    );
    assert!(
        feature::get_by_id(&mut conn, &environment2, feature.id)
            .await
            .is_err()
    );
}

#[testrig::database]
async fn create_valid_variant(mut conn: PoolConnection<Sqlite>) {
    let (_, environment) = create_context(&mut conn).await;
    let feature = create_feature(&mut conn, &environment, "foo").await;
    let variant = variant::create(
        &mut conn,
        &environment,
        &feature,
        FeatureValue::build("bar"),
        10,
    )
    .await;
    assert!(variant.is_ok());
}

#[testrig::database]
async fn create_variant_with_duplicate_value_is_rejected(mut conn: PoolConnection<Sqlite>) {
    let (_, environment) = create_context(&mut conn).await;
    let feature = create_feature(&mut conn, &environment, "foo").await;

    variant::create(
        &mut conn,
        &environment,
        &feature,
        FeatureValue::build("bar"),
        10,
    )
    .await
    .unwrap();

    let err = variant::create(
        &mut conn,
        &environment,
        &feature,
        FeatureValue::build("bar"),
        20,
    )
    .await
    .unwrap_err();

    assert!(
        err.downcast_ref::<FlagrantError>()
            .is_some_and(|e| matches!(e, FlagrantError::BadRequest(_))),
        "expected BadRequest, got: {err}"
    );
}

#[testrig::database]
async fn update_variant_to_duplicate_value_is_rejected(mut conn: PoolConnection<Sqlite>) {
    let (_, environment) = create_context(&mut conn).await;
    let feature = create_feature(&mut conn, &environment, "foo").await;

    let v1 = variant::create(
        &mut conn,
        &environment,
        &feature,
        FeatureValue::build("bar"),
        10,
    )
    .await
    .unwrap();

    variant::create(
        &mut conn,
        &environment,
        &feature,
        FeatureValue::build("baz"),
        20,
    )
    .await
    .unwrap();

    // Updating v1's value to "baz" conflicts with the second variant.
    let err = variant::update_one(&mut conn, &environment, &v1, FeatureValue::build("baz"), 10)
        .await
        .unwrap_err();

    assert!(
        err.downcast_ref::<FlagrantError>()
            .is_some_and(|e| matches!(e, FlagrantError::BadRequest(_))),
        "expected BadRequest, got: {err}"
    );
}

#[testrig::database]
async fn create_variants_with_valid_weights(mut conn: PoolConnection<Sqlite>) {
    let (_, environment) = create_context(&mut conn).await;
    let feature = create_feature(&mut conn, &environment, "bar").await;

    variant::create(
        &mut conn,
        &environment,
        &feature,
        FeatureValue::build("bar-1"),
        10,
    )
    .await
    .unwrap();

    variant::create(
        &mut conn,
        &environment,
        &feature,
        FeatureValue::build("bar-2"),
        30,
    )
    .await
    .unwrap();

    variant::create(
        &mut conn,
        &environment,
        &feature,
        FeatureValue::build("bar-3"),
        40,
    )
    .await
    .unwrap();

    let feature = feature::get_by_id(&mut conn, &environment, feature.id)
        .await
        .unwrap();
    let default_variant = feature.get_default_variant();
    assert_eq!(default_variant.weight, 20);
}

#[testrig::database]
async fn create_variants_with_exceeding_weight(mut conn: PoolConnection<Sqlite>) {
    let (_, environment) = create_context(&mut conn).await;
    let feature = create_feature(&mut conn, &environment, "bar").await;

    variant::create(
        &mut conn,
        &environment,
        &feature,
        FeatureValue::build("bar-1"),
        10,
    )
    .await
    .unwrap();

    variant::create(
        &mut conn,
        &environment,
        &feature,
        FeatureValue::build("bar-2"),
        30,
    )
    .await
    .unwrap();

    let exceeding_variant = variant::create(
        &mut conn,
        &environment,
        &feature,
        FeatureValue::build("bar-3"),
        90,
    );
    assert!(exceeding_variant.await.is_err());
}

#[testrig::database]
async fn create_variants_with_different_weights_in_envs(mut conn: PoolConnection<Sqlite>) {
    let (project, environment1) = create_context(&mut conn).await;
    let environment2 = create_environment(&mut conn, &project).await;
    let feature = create_feature(&mut conn, &environment1, "foo").await;
    let variant = variant::create(
        &mut conn,
        &environment1,
        &feature,
        FeatureValue::build("bar"),
        40,
    )
    .await
    .unwrap();

    feature::update_one(&mut conn, &environment2, &feature)
        .value(FeatureValue::build("bazz"))
        .update()
        .await
        .unwrap();

    variant::update_one(
        &mut conn,
        &environment2,
        &variant,
        FeatureValue::build("new-bar"),
        99,
    )
    .await
    .unwrap();

    let variant_env1 = variant::get_by_id(&mut conn, &environment1, variant.id, None)
        .await
        .unwrap();
    let variant_env2 = variant::get_by_id(&mut conn, &environment2, variant.id, None)
        .await
        .unwrap();

    // Variant values are common across all environments
    assert_eq!(variant_env1.value, "text::new-bar".parse().unwrap());
    assert_eq!(variant_env2.value, "text::new-bar".parse().unwrap());

    // ...but weights are not.
    assert_eq!(variant_env1.weight, 40);
    assert_eq!(variant_env2.weight, 99);
}

#[testrig::database]
#[should_panic]
async fn disallow_default_variant_manual_updates(mut conn: PoolConnection<Sqlite>) {
    let (_, environment) = create_context(&mut conn).await;
    let feature = create_feature(&mut conn, &environment, "foo").await;
    let default_variant = feature.get_default_variant();

    variant::update_one(
        &mut conn,
        &environment,
        default_variant,
        FeatureValue::build("bar"),
        50,
    )
    .await
    .unwrap();
}

#[testrig::database]
async fn recalculate_default_weight_for_variant_update(mut conn: PoolConnection<Sqlite>) {
    let (_, environment) = create_context(&mut conn).await;
    let feature = create_feature(&mut conn, &environment, "bar").await;

    variant::create(
        &mut conn,
        &environment,
        &feature,
        FeatureValue::build("bar-1"),
        10,
    )
    .await
    .unwrap();

    variant::create(
        &mut conn,
        &environment,
        &feature,
        FeatureValue::build("bar-2"),
        30,
    )
    .await
    .unwrap();

    let variant = variant::create(
        &mut conn,
        &environment,
        &feature,
        FeatureValue::build("bar-3"),
        40,
    )
    .await
    .unwrap();

    variant::update_one(
        &mut conn,
        &environment,
        &variant,
        FeatureValue::build("new-bar-3"),
        50,
    )
    .await
    .unwrap();

    let feature = feature::get_by_id(&mut conn, &environment, feature.id)
        .await
        .unwrap();
    let default_variant = feature.get_default_variant();

    assert_eq!(default_variant.weight, 10);
}

#[testrig::database]
async fn recalculate_default_weight_for_variant_delete(mut conn: PoolConnection<Sqlite>) {
    let (_, environment) = create_context(&mut conn).await;
    let feature = create_feature(&mut conn, &environment, "bar").await;

    variant::create(
        &mut conn,
        &environment,
        &feature,
        FeatureValue::build("bar-1"),
        10,
    )
    .await
    .unwrap();

    variant::create(
        &mut conn,
        &environment,
        &feature,
        FeatureValue::build("bar-2"),
        30,
    )
    .await
    .unwrap();

    let variant = variant::create(
        &mut conn,
        &environment,
        &feature,
        FeatureValue::build("bar-3"),
        40,
    )
    .await
    .unwrap();

    variant::delete(&mut conn, &environment, &variant)
        .await
        .unwrap();

    let feature = feature::get_by_id(&mut conn, &environment, feature.id)
        .await
        .unwrap();
    let default_variant = feature.get_default_variant();

    assert_eq!(default_variant.weight, 60);
}

#[testrig::database]
async fn ignore_default_weight_recalculation_for_exceeding_weight_update(
    mut conn: PoolConnection<Sqlite>,
) {
    let (_, environment) = create_context(&mut conn).await;
    let feature = create_feature(&mut conn, &environment, "bar").await;

    variant::create(
        &mut conn,
        &environment,
        &feature,
        FeatureValue::build("bar-1"),
        10,
    )
    .await
    .unwrap();

    variant::create(
        &mut conn,
        &environment,
        &feature,
        FeatureValue::build("bar-2"),
        30,
    )
    .await
    .unwrap();

    // Update with exceeding weight should fail
    let variant = variant::create(
        &mut conn,
        &environment,
        &feature,
        FeatureValue::build("bar-3"),
        40,
    )
    .await
    .unwrap();

    assert!(
        variant::update_one(
            &mut conn,
            &environment,
            &variant,
            FeatureValue::build("new-bar-3"),
            80
        )
        .await
        .is_err()
    );

    // Default weight should retain old value
    let feature = feature::get_by_id(&mut conn, &environment, feature.id)
        .await
        .unwrap();
    let default_variant = feature.get_default_variant();

    assert_eq!(default_variant.weight, 20);
}

#[testrig::database]
async fn disallow_removing_default_variant_when_other_variants_exist(
    mut conn: PoolConnection<Sqlite>,
) {
    let (_, environment) = create_context(&mut conn).await;
    let feature = create_feature(&mut conn, &environment, "bar").await;

    variant::create(
        &mut conn,
        &environment,
        &feature,
        FeatureValue::build("bar-1"),
        10,
    )
    .await
    .unwrap();

    variant::create(
        &mut conn,
        &environment,
        &feature,
        FeatureValue::build("bar-2"),
        30,
    )
    .await
    .unwrap();

    let variant = feature.get_default_variant();
    assert!(
        variant::delete(&mut conn, &environment, variant)
            .await
            .is_err()
    );
    assert!(feature.get_default_variant().is_control())
}

#[testrig::database]
async fn allow_removing_default_variant_when_no_other_variants_exist(
    mut conn: PoolConnection<Sqlite>,
) {
    let (_, environment) = create_context(&mut conn).await;
    let feature = create_feature(&mut conn, &environment, "bar").await;
    let variant = feature.get_default_variant();

    assert!(
        variant::delete(&mut conn, &environment, variant)
            .await
            .is_ok()
    );
}

#[testrig::database]
async fn patch_control_variant_weight_is_rejected(mut conn: PoolConnection<Sqlite>) {
    let (_, environment) = create_context(&mut conn).await;
    let feature = create_feature(&mut conn, &environment, "foo").await;
    let control_id = feature.get_default_variant().id;

    let patch = FeaturePatch {
        variants: vec![VariantPatchOp::SetWeight {
            id: control_id,
            weight: 50,
        }],
        ..Default::default()
    };
    assert!(
        feature::patch(&mut conn, &environment, &feature, patch)
            .await
            .is_err()
    );
}

#[testrig::database]
async fn patch_control_variant_value_is_accepted(mut conn: PoolConnection<Sqlite>) {
    let (_, environment) = create_context(&mut conn).await;
    let feature = create_feature(&mut conn, &environment, "foo").await;
    let control_id = feature.get_default_variant().id;

    let patch = FeaturePatch {
        variants: vec![VariantPatchOp::SetValue {
            id: control_id,
            value: flagrant_types::FeatureValue::build("bar"),
        }],
        ..Default::default()
    };
    assert!(
        feature::patch(&mut conn, &environment, &feature, patch)
            .await
            .is_ok()
    );

    let feature = feature::get_by_id(&mut conn, &environment, feature.id)
        .await
        .unwrap();
    assert_eq!(feature.get_default_value(), &FeatureValue::build("bar"));
}

#[testrig::database]
async fn control_variant_weight_is_zero_when_others_sum_to_hundred(
    mut conn: PoolConnection<Sqlite>,
) {
    let (_, environment) = create_context(&mut conn).await;
    let feature = create_feature(&mut conn, &environment, "bar").await;

    variant::create(
        &mut conn,
        &environment,
        &feature,
        FeatureValue::build("v1"),
        60,
    )
    .await
    .unwrap();

    variant::create(
        &mut conn,
        &environment,
        &feature,
        FeatureValue::build("v2"),
        40,
    )
    .await
    .unwrap();

    let feature = feature::get_by_id(&mut conn, &environment, feature.id)
        .await
        .unwrap();

    assert_eq!(feature.get_default_variant().weight, 0);
}

#[testrig::database]
async fn control_variant_weight_cannot_go_negative(mut conn: PoolConnection<Sqlite>) {
    let (_, environment) = create_context(&mut conn).await;
    let feature = create_feature(&mut conn, &environment, "bar").await;

    variant::create(
        &mut conn,
        &environment,
        &feature,
        FeatureValue::build("v1"),
        60,
    )
    .await
    .unwrap();

    variant::create(
        &mut conn,
        &environment,
        &feature,
        FeatureValue::build("v2"),
        40,
    )
    .await
    .unwrap();

    // Control is now 0; any further variant would push it below zero
    assert!(
        variant::create(
            &mut conn,
            &environment,
            &feature,
            FeatureValue::build("v3"),
            1,
        )
        .await
        .is_err()
    );
}

#[testrig::database]
async fn create_project_with_invalid_name(mut conn: PoolConnection<Sqlite>) {
    for name in [" ble", "123abc", "💕project", "foo-bar", "has space"] {
        assert!(project::create(&mut conn, name.to_owned()).await.is_err());
    }
}

#[testrig::database]
async fn create_project_with_too_long_name(mut conn: PoolConnection<Sqlite>) {
    let result = project::create(&mut conn, format!("P_{}", random_string(1024))).await;
    assert!(result.is_err());
}

#[testrig::database]
#[should_panic]
async fn create_project_with_non_unique_name(mut conn: PoolConnection<Sqlite>) {
    let name = "unique_project";

    project::create(&mut conn, name.to_owned()).await.unwrap();
    project::create(&mut conn, name.to_owned()).await.unwrap();
}

#[testrig::database]
async fn create_environment_with_invalid_name(mut conn: PoolConnection<Sqlite>) {
    let (project, _) = create_context(&mut conn).await;
    for name in [" ble", "123env", "💕env", "foo-bar", "has space"] {
        assert!(
            environment::create(&mut conn, &project, name.to_owned(), None, None)
                .await
                .is_err()
        );
    }
}

#[testrig::database]
async fn create_environment_with_too_long_name(mut conn: PoolConnection<Sqlite>) {
    let (project, _) = create_context(&mut conn).await;
    let result = environment::create(
        &mut conn,
        &project,
        format!("E_{}", random_string(1024)),
        None,
        None,
    )
    .await;
    assert!(result.is_err());
}

#[testrig::database]
#[should_panic]
async fn create_environment_with_non_unique_name(mut conn: PoolConnection<Sqlite>) {
    let (project, _) = create_context(&mut conn).await;
    let name = "unique_env";
    environment::create(&mut conn, &project, name.to_owned(), None, None)
        .await
        .unwrap();
    environment::create(&mut conn, &project, name.to_owned(), None, None)
        .await
        .unwrap();
}

#[testrig::database]
async fn get_variant_by_value_respects_environment_scope(mut conn: PoolConnection<Sqlite>) {
    let (project, environment1) = create_context(&mut conn).await;
    let environment2 = create_environment(&mut conn, &project).await;

    // Feature created in env1 propagates its control variant to env2.
    let feature = create_feature(&mut conn, &environment1, "control-env1").await;

    // Give env2 a distinct control value.
    feature::update_one(&mut conn, &environment2, &feature)
        .value(FeatureValue::build("control-env2"))
        .update()
        .await
        .unwrap();

    // Add a shared (non-control, NULL env_id) variant visible in both environments.
    variant::create(
        &mut conn,
        &environment1,
        &feature,
        FeatureValue::build("shared"),
        40,
    )
    .await
    .unwrap();

    // env1's control value is found in env1.
    let v = variant::get_by_value(
        &mut conn,
        &environment1,
        feature.id,
        &FeatureValue::build("control-env1"),
        None,
    )
    .await
    .unwrap();
    assert!(v.is_some_and(|v| v.is_control()));

    // env2's control value is found in env2.
    let v = variant::get_by_value(
        &mut conn,
        &environment2,
        feature.id,
        &FeatureValue::build("control-env2"),
        None,
    )
    .await
    .unwrap();
    assert!(v.is_some_and(|v| v.is_control()));

    // env2's control value is NOT visible in env1.
    let v = variant::get_by_value(
        &mut conn,
        &environment1,
        feature.id,
        &FeatureValue::build("control-env2"),
        None,
    )
    .await
    .unwrap();
    assert!(v.is_none());

    // env1's control value is NOT visible in env2.
    let v = variant::get_by_value(
        &mut conn,
        &environment2,
        feature.id,
        &FeatureValue::build("control-env1"),
        None,
    )
    .await
    .unwrap();
    assert!(v.is_none());

    // Shared non-control variant is found in both environments.
    let v1 = variant::get_by_value(
        &mut conn,
        &environment1,
        feature.id,
        &FeatureValue::build("shared"),
        None,
    )
    .await
    .unwrap();
    let v2 = variant::get_by_value(
        &mut conn,
        &environment2,
        feature.id,
        &FeatureValue::build("shared"),
        None,
    )
    .await
    .unwrap();
    assert!(v1.is_some_and(|v| !v.is_control()));
    assert!(v2.is_some_and(|v| !v.is_control()));
}

#[testrig::database]
async fn patch_tags_adds_without_clearing_existing(mut conn: PoolConnection<Sqlite>) {
    let (_, environment) = create_context(&mut conn).await;
    let feature = create_feature(&mut conn, &environment, "foo").await;

    let patch = FeaturePatch {
        tags: vec![TagPatchOp::Add("beta".to_owned())],
        ..Default::default()
    };
    feature::patch(&mut conn, &environment, &feature, patch)
        .await
        .unwrap();

    let feature = feature::get_by_id(&mut conn, &environment, feature.id)
        .await
        .unwrap();
    assert_eq!(feature.tags.to_string(), "beta");

    let patch = FeaturePatch {
        tags: vec![TagPatchOp::Add("experimental".to_owned())],
        ..Default::default()
    };
    feature::patch(&mut conn, &environment, &feature, patch)
        .await
        .unwrap();

    let feature = feature::get_by_id(&mut conn, &environment, feature.id)
        .await
        .unwrap();
    let mut tags: Vec<_> = feature.tags.0.iter().map(|t| t.name.clone()).collect();
    tags.sort();
    assert_eq!(tags, vec!["beta", "experimental"]);
}

#[testrig::database]
async fn patch_tags_add_is_idempotent(mut conn: PoolConnection<Sqlite>) {
    let (_, environment) = create_context(&mut conn).await;
    let feature = create_feature(&mut conn, &environment, "foo").await;

    for _ in 0..2 {
        let patch = FeaturePatch {
            tags: vec![TagPatchOp::Add("beta".to_owned())],
            ..Default::default()
        };
        feature::patch(&mut conn, &environment, &feature, patch)
            .await
            .unwrap();
    }

    let feature = feature::get_by_id(&mut conn, &environment, feature.id)
        .await
        .unwrap();
    assert_eq!(feature.tags.0.len(), 1);
    assert_eq!(feature.tags.to_string(), "beta");
}

#[testrig::database]
async fn patch_tags_removes_only_given_tag(mut conn: PoolConnection<Sqlite>) {
    let (_, environment) = create_context(&mut conn).await;
    let feature = create_feature(&mut conn, &environment, "foo").await;

    let patch = FeaturePatch {
        tags: vec![
            TagPatchOp::Add("beta".to_owned()),
            TagPatchOp::Add("experimental".to_owned()),
        ],
        ..Default::default()
    };
    feature::patch(&mut conn, &environment, &feature, patch)
        .await
        .unwrap();
    let feature = feature::get_by_id(&mut conn, &environment, feature.id)
        .await
        .unwrap();

    let patch = FeaturePatch {
        tags: vec![TagPatchOp::Remove("beta".to_owned())],
        ..Default::default()
    };
    feature::patch(&mut conn, &environment, &feature, patch)
        .await
        .unwrap();

    let feature = feature::get_by_id(&mut conn, &environment, feature.id)
        .await
        .unwrap();
    assert_eq!(feature.tags.to_string(), "experimental");

    // Removing an already-absent tag is a harmless no-op.
    let patch = FeaturePatch {
        tags: vec![TagPatchOp::Remove("beta".to_owned())],
        ..Default::default()
    };
    assert!(
        feature::patch(&mut conn, &environment, &feature, patch)
            .await
            .is_ok()
    );
}

#[testrig::database]
async fn get_all_filters_by_included_and_excluded_tags(mut conn: PoolConnection<Sqlite>) {
    let (_, environment) = create_context(&mut conn).await;

    let ui_beta = create_feature(&mut conn, &environment, "a").await;
    let patch = FeaturePatch {
        tags: vec![
            TagPatchOp::Add("ui".to_owned()),
            TagPatchOp::Add("beta".to_owned()),
        ],
        ..Default::default()
    };
    feature::patch(&mut conn, &environment, &ui_beta, patch)
        .await
        .unwrap();

    let ui_only = create_feature(&mut conn, &environment, "b").await;
    let patch = FeaturePatch {
        tags: vec![TagPatchOp::Add("ui".to_owned())],
        ..Default::default()
    };
    feature::patch(&mut conn, &environment, &ui_only, patch)
        .await
        .unwrap();

    let untagged = create_feature(&mut conn, &environment, "c").await;

    // Excluding "beta" should drop only the feature tagged with it, keeping the rest.
    let results = feature::get_all(
        &mut conn,
        &environment,
        None,
        None,
        None,
        None,
        Some(smallvec!["beta"]),
    )
    .await
    .unwrap();
    let names: Vec<_> = results.iter().map(|f| f.name.clone()).collect();
    assert!(names.contains(&ui_only.name));
    assert!(names.contains(&untagged.name));
    assert!(!names.contains(&ui_beta.name));

    // Including "ui" should return only features carrying that tag.
    let results = feature::get_all(
        &mut conn,
        &environment,
        None,
        None,
        None,
        Some(smallvec!["ui"]),
        None,
    )
    .await
    .unwrap();
    let names: Vec<_> = results.iter().map(|f| f.name.clone()).collect();
    assert!(names.contains(&ui_beta.name));
    assert!(names.contains(&ui_only.name));
    assert!(!names.contains(&untagged.name));
}
