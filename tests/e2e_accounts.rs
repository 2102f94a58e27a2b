//! AccountService and MerchantService end to end: create, list (sort, filter, search), get and
//! rename accounts; the merchant's user and seeded accounts.

mod common;

use common::{
    MERCHANT_EUR, MERCHANT_FEES_USD, MERCHANT_USER, TestEnv, assert_status, violation_fields,
};
use ralio_gateway::proto::ralio::v1 as pb;
use tonic::Code;

fn create(uid: &str, alias: &str, currency: pb::AccountCurrency) -> pb::CreateUserAccountRequest {
    pb::CreateUserAccountRequest {
        uid: uid.to_owned(),
        alias: alias.to_owned(),
        currency: currency as i32,
    }
}

#[tokio::test]
async fn account_lifecycle_create_list_get_update() {
    let env = TestEnv::start().await;
    let uid = env.regular_user().await;
    let mut accounts = env.grpc().accounts();
    let eur = accounts
        .create_user_account(create(&uid, "Savings", pb::AccountCurrency::Eur))
        .await
        .unwrap()
        .into_inner()
        .account
        .unwrap();
    assert!(uuid::Uuid::parse_str(&eur.id).is_ok());
    assert_eq!(eur.alias, "Savings");
    assert_eq!(eur.currency, pb::Currency::Eur as i32);
    assert_eq!((eur.balance, eur.pending_in, eur.pending_out), (0, 0, 0));
    // Auto-activate is on in the sandbox (D10).
    assert_eq!(eur.state, pb::AccountState::Active as i32);
    assert_eq!(eur.purpose, pb::AccountPurpose::Operational as i32);
    assert_eq!(eur.r#type, "CURRENT");
    assert_eq!(eur.user_id, uid);
    assert!(eur.created_at.is_some() && eur.updated_at.is_some());
    let usd = accounts
        .create_user_account(create(&uid, "Travel", pb::AccountCurrency::Usd))
        .await
        .unwrap()
        .into_inner()
        .account
        .unwrap();
    assert_eq!(usd.currency, pb::Currency::Usd as i32);

    let list = |query: pb::ListQuery| pb::ListUserAccountsRequest {
        uid: uid.clone(),
        query: Some(query),
    };
    let all = accounts
        .list_user_accounts(list(pb::ListQuery {
            sort: vec![pb::SortField {
                field: "alias".into(),
                direction: pb::SortDirection::Desc as i32,
            }],
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner()
        .accounts;
    let aliases: Vec<_> = all.iter().map(|a| a.alias.as_str()).collect();
    assert_eq!(aliases, ["Travel", "Savings"]);
    let filtered = accounts
        .list_user_accounts(list(pb::ListQuery {
            filters: vec![pb::Filter {
                field: "currency".into(),
                op: pb::FilterOp::Eq as i32,
                value: "EUR".into(),
            }],
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner()
        .accounts;
    assert_eq!(filtered.len(), 1);
    assert_eq!(filtered[0].id, eur.id);
    let searched = accounts
        .list_user_accounts(list(pb::ListQuery {
            search: "trav".into(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner()
        .accounts;
    assert_eq!(searched.len(), 1);
    assert_eq!(searched[0].id, usd.id);

    let got = accounts
        .get_user_account(pb::GetUserAccountRequest {
            uid: uid.clone(),
            aid: eur.id.clone(),
        })
        .await
        .unwrap()
        .into_inner()
        .account
        .unwrap();
    assert_eq!(got, eur);

    let renamed = accounts
        .update_user_account(pb::UpdateUserAccountRequest {
            uid: uid.clone(),
            aid: eur.id.clone(),
            alias: "Rainy day".into(),
        })
        .await
        .unwrap()
        .into_inner()
        .account
        .unwrap();
    assert_eq!(renamed.alias, "Rainy day");
    assert_eq!(renamed.id, eur.id);
}

#[tokio::test]
async fn account_errors_map_by_meaning() {
    let env = TestEnv::start().await;
    let uid = env.regular_user().await;
    let mut accounts = env.grpc().accounts();
    accounts
        .create_user_account(create(&uid, "Main", pb::AccountCurrency::Eur))
        .await
        .unwrap();
    // 409: alias taken (case-insensitively, D15).
    assert_status(
        accounts
            .create_user_account(create(&uid, "MAIN", pb::AccountCurrency::Usd))
            .await,
        Code::AlreadyExists,
        "CONFLICT",
    );
    // 404: a well-formed unknown account.
    assert_status(
        accounts
            .get_user_account(pb::GetUserAccountRequest {
                uid: uid.clone(),
                aid: uuid::Uuid::new_v4().to_string(),
            })
            .await,
        Code::NotFound,
        "NOT_FOUND",
    );
    // 403 from RalioPay: the merchant's account under another user's path.
    assert_status(
        accounts
            .get_user_account(pb::GetUserAccountRequest {
                uid: uid.clone(),
                aid: MERCHANT_EUR.into(),
            })
            .await,
        Code::PermissionDenied,
        "FORBIDDEN",
    );
    // Gateway-side validation.
    let status = assert_status(
        accounts
            .create_user_account(pb::CreateUserAccountRequest {
                uid: "x".into(),
                alias: String::new(),
                currency: 0,
            })
            .await,
        Code::InvalidArgument,
        "VALIDATION_ERROR",
    );
    assert_eq!(violation_fields(&status), ["uid", "alias", "currency"]);
    let status = assert_status(
        accounts
            .list_user_accounts(pb::ListUserAccountsRequest {
                uid: uid.clone(),
                query: Some(pb::ListQuery {
                    sort: vec![pb::SortField {
                        field: "alias,balance".into(),
                        direction: 0,
                    }],
                    filters: vec![pb::Filter {
                        field: "state".into(),
                        op: 0,
                        value: "ACTIVE".into(),
                    }],
                    search: String::new(),
                }),
            })
            .await,
        Code::InvalidArgument,
        "VALIDATION_ERROR",
    );
    assert_eq!(
        violation_fields(&status),
        ["query.sort[0].field", "query.filters[0].op"]
    );
    // Upstream 400: a field RalioPay cannot sort by, named as RalioPay names it.
    let status = assert_status(
        accounts
            .list_user_accounts(pb::ListUserAccountsRequest {
                uid,
                query: Some(pb::ListQuery {
                    sort: vec![pb::SortField {
                        field: "colour".into(),
                        direction: 0,
                    }],
                    ..Default::default()
                }),
            })
            .await,
        Code::InvalidArgument,
        "VALIDATION_ERROR",
    );
    assert_eq!(violation_fields(&status), ["sort"]);
}

#[tokio::test]
async fn merchant_user_and_accounts() {
    let env = TestEnv::start().await;
    let mut merchant = env.grpc().merchant();
    let user = merchant
        .get_merchant_user(pb::GetMerchantUserRequest {})
        .await
        .unwrap()
        .into_inner()
        .user
        .unwrap();
    assert_eq!(user.id, MERCHANT_USER);
    assert_eq!(user.name, "Sandbox Merchant");
    assert!(!user.email.is_empty());
    let additional = ralio_gateway::convert::common::struct_to_json(&user.additional.unwrap());
    assert_eq!(additional["displayType"], "Merchant");

    let accounts = merchant
        .list_merchant_user_accounts(pb::ListMerchantUserAccountsRequest { query: None })
        .await
        .unwrap()
        .into_inner()
        .accounts;
    assert_eq!(accounts.len(), 4);
    assert!(
        accounts
            .iter()
            .all(|a| a.state == pb::AccountState::Active as i32)
    );
    let fees: Vec<_> = merchant
        .list_merchant_user_accounts(pb::ListMerchantUserAccountsRequest {
            query: Some(pb::ListQuery {
                filters: vec![pb::Filter {
                    field: "purpose".into(),
                    op: pb::FilterOp::Eq as i32,
                    value: "FEES".into(),
                }],
                ..Default::default()
            }),
        })
        .await
        .unwrap()
        .into_inner()
        .accounts;
    assert_eq!(fees.len(), 2);
    assert!(
        fees.iter()
            .all(|a| a.purpose == pb::AccountPurpose::Fees as i32)
    );

    let account = merchant
        .get_merchant_user_account(pb::GetMerchantUserAccountRequest {
            aid: MERCHANT_FEES_USD.into(),
        })
        .await
        .unwrap()
        .into_inner()
        .account
        .unwrap();
    assert_eq!(account.id, MERCHANT_FEES_USD);
    assert_eq!(account.currency, pb::Currency::Usd as i32);
    assert_eq!(account.purpose, pb::AccountPurpose::Fees as i32);
    let owner = account.user.unwrap();
    assert_eq!(owner.id, MERCHANT_USER);

    assert_status(
        merchant
            .get_merchant_user_account(pb::GetMerchantUserAccountRequest {
                aid: uuid::Uuid::new_v4().to_string(),
            })
            .await,
        Code::NotFound,
        "NOT_FOUND",
    );
}
