//! ReferenceService end to end: the activity catalogue, paged and localised.

mod common;

use common::{TestEnv, assert_status, violation_fields};
use ralio_gateway::proto::ralio::v1 as pb;
use tonic::Code;

#[tokio::test]
async fn lists_activities_paged_and_in_the_asked_language() {
    let env = TestEnv::start().await;
    let mut reference = env.grpc().reference();
    let all = reference
        .list_active_activities(pb::ListActiveActivitiesRequest {
            page: None,
            language: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    let page = all.pagination.unwrap();
    assert_eq!(page.page, 1);
    assert!(page.total >= 2);
    let engineer = all
        .activities
        .iter()
        .find(|a| a.slug == "SOFTWARE_ENGINEER")
        .expect("catalogue has SOFTWARE_ENGINEER");
    assert!(engineer.id > 0);

    let first = reference
        .list_active_activities(pb::ListActiveActivitiesRequest {
            page: Some(pb::PageRequest {
                page: 1,
                page_size: 1,
            }),
            language: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(first.activities.len(), 1);
    let page = first.pagination.unwrap();
    assert_eq!(page.page_size, 1);
    assert_eq!(page.next.as_deref(), Some("2"));
    assert_eq!(page.previous, None);
    assert_eq!(i64::from(page.num_pages), page.total);

    let spanish = reference
        .list_active_activities(pb::ListActiveActivitiesRequest {
            page: None,
            language: "es".into(),
        })
        .await
        .unwrap()
        .into_inner();
    let ingeniero = spanish
        .activities
        .iter()
        .find(|a| a.slug == "SOFTWARE_ENGINEER")
        .unwrap();
    assert_ne!(
        ingeniero.name, engineer.name,
        "Accept-Language: es is honoured"
    );
}

#[tokio::test]
async fn bad_paging_is_refused_by_the_gateway() {
    let env = TestEnv::start().await;
    let status = assert_status(
        env.grpc()
            .reference()
            .list_active_activities(pb::ListActiveActivitiesRequest {
                page: Some(pb::PageRequest {
                    page: -1,
                    page_size: 500,
                }),
                language: "es\r\nx: y".into(),
            })
            .await,
        Code::InvalidArgument,
        "VALIDATION_ERROR",
    );
    assert_eq!(
        violation_fields(&status),
        ["page.page", "page.page_size", "language"]
    );
}
