//! Money movement over real HTTP: payins, transfers, payouts with OTP, orders, the ledger, the
//! control API, every money error code, and balances that reconcile.

mod common;

use common::Api;
use ralio_sandbox::SandboxConfig;
use ralio_sandbox::config::{AutoActivate, AutoSettle};
use serde_json::{Value, json};

struct Acct {
    uid: String,
    aid: String,
}

impl Acct {
    fn base(&self) -> String {
        format!("/api/v1/account/users/{}/accounts/{}", self.uid, self.aid)
    }
}

async fn account(api: &Api, uid: &str, currency: &str) -> Acct {
    let alias = format!("acct-{}", uuid::Uuid::new_v4());
    let a = api.create_account(uid, &alias, currency).await;
    Acct {
        uid: uid.to_owned(),
        aid: a["id"].as_str().unwrap().to_owned(),
    }
}

async fn fund(api: &Api, a: &Acct, amount: i64, currency: &str) -> Value {
    api.control(
        &format!("/sandbox/v1/accounts/{}/payins", a.aid),
        json!({"method": "BANK", "amount": amount, "currency": currency, "ownReference": "fund-1"}),
    )
    .await
    .ok()
    .clone()
}

async fn balances(api: &Api, a: &Acct) -> (i64, i64, i64) {
    let v = api.get(&a.base()).await.ok().clone();
    (
        v["balance"].as_i64().unwrap(),
        v["pendingIn"].as_i64().unwrap(),
        v["pendingOut"].as_i64().unwrap(),
    )
}

fn bank_payout_body(amount: i64, currency: &str) -> Value {
    json!({
        "amounts": {
            "debitedAmount": {"currency": currency, "amount": amount},
            "receivedAmount": {"currency": currency, "amount": 0}
        },
        "description": "rent",
        "ownReference": "payout-1",
        "recipient": {
            "accountNumber": "ES7921000813610123456789",
            "routingData": "IBAN",
            "beneficiaryType": "PERSON",
            "name": "Ana", "surname": "García", "relation": "MYSELF",
            "document": {"documentType": "PASSPORT", "number": "X123"},
            "address": {"line1": "Calle 1", "city": "Madrid", "country": "ES", "postalCode": "28001"},
            "contact": {"phone": "+34600000000"}
        }
    })
}

/// Checks D8 through the API: balance == sum(transactions), running balances chain.
async fn assert_ledger_reconciles(api: &Api, a: &Acct) {
    let (balance, _, _) = balances(api, a).await;
    let txs = api
        .get(&format!("{}/transactions", a.base()))
        .await
        .ok()
        .clone();
    let mut running = 0;
    for tx in txs.as_array().unwrap() {
        running += tx["amount"].as_i64().unwrap();
        assert_eq!(tx["running_balance"].as_i64().unwrap(), running, "{tx}");
        assert!(tx["created_at"].is_string());
    }
    assert_eq!(balance, running);
}

#[tokio::test]
async fn full_flow_payin_transfer_payout_orders_ledger() {
    let api = Api::start().await;
    let uid = api.regular_user().await;
    let eur = account(&api, &uid, "EUR").await;
    let usd = account(&api, &uid, "USD").await;

    // Payin through the control API: 1% fee, payin_completed.
    let payin = fund(&api, &eur, 100_000, "EUR").await;
    assert_eq!(payin["type"], "BANK_PAY_IN");
    assert_eq!(payin["state"], "SETTLED");
    assert_eq!(payin["direction"], "IN");
    assert_eq!(payin["destination"]["amount"], 99_000);
    assert_eq!(payin["fee"]["amount"], 1_000);
    assert_eq!(balances(&api, &eur).await, (99_000, 0, 0));
    let completed = api.events_named("payin_completed");
    assert_eq!(completed.len(), 1);
    let data = &completed[0];
    assert_eq!(data["status"], "COMPLETED");
    assert_eq!(data["payinType"], "bankPayin");
    assert_eq!(data["orderId"], payin["id"]);
    assert_eq!(data["ownReference"], "fund-1");
    assert_eq!(data["destination"]["creditedAccountId"], eur.aid.as_str());
    assert_eq!(data["destination"]["creditedUserId"], uid.as_str());
    assert_eq!(
        data["amounts"]["receivedAmount"],
        json!({"amount": 100_000, "currency": "EUR"})
    );
    assert_eq!(data["amounts"]["fees"]["total"], 1_000);
    assert_eq!(
        data["amounts"]["fees"]["breakdown"],
        json!({"systemFee": 500, "merchantFee": 500})
    );
    assert_eq!(data["amounts"]["creditedAmount"]["amount"], 99_000);
    assert_eq!(data["source"]["type"], "bankAccount");
    let bank = api
        .get(&format!(
            "/api/v1/account/bank-payins/{}",
            payin["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(bank.ok()["recipient"]["accountId"], eur.aid.as_str());

    // Transfer EUR -> USD with a quote; auto-settled; CONFIRMED then COMPLETED.
    let quote = api
        .post(
            &format!("{}/transfers/simulate", eur.base()),
            json!({"origin": {"currency": "EUR", "amount": 10_000}, "recipient": {"accountId": usd.aid}}),
        )
        .await;
    let quote = quote.ok().clone();
    assert_eq!(
        quote["destination"],
        json!({"currency": "USD", "amount": 10_850})
    );
    assert_eq!(quote["quote"]["rate"], json!(1.085));
    let transfer = api
        .post(
            &format!("{}/transfers", eur.base()),
            json!({"code2fa": "123456", "origin": {"currency": "EUR", "amount": 10_000},
                   "recipient": {"accountId": usd.aid}, "reference": "t-1", "quoteId": quote["quoteId"]}),
        )
        .await;
    assert_eq!(transfer.status.as_u16(), 201, "{}", transfer.body);
    let transfer = transfer.body.clone();
    assert_eq!(transfer["state"], "SETTLED");
    assert_eq!(transfer["fx"]["pair"], "EUR/USD");
    let tid = transfer["id"].as_str().unwrap();
    let states: Vec<Value> = api
        .events_named("transfer_state_updated")
        .into_iter()
        .map(|d| d["state"].clone())
        .collect();
    assert_eq!(states, vec![json!("CONFIRMED"), json!("COMPLETED")]);
    assert_eq!(
        api.events_named("transfer_state_updated")[0]["transferId"],
        tid
    );
    let detail = api
        .get(&format!("/api/v1/account/transfers/{tid}"))
        .await
        .ok()
        .clone();
    assert_eq!(detail["sender"]["accountId"], eur.aid.as_str());
    assert_eq!(detail["recipient"]["accountId"], usd.aid.as_str());
    assert_eq!(balances(&api, &eur).await, (89_000, 0, 0));
    assert_eq!(balances(&api, &usd).await, (10_850, 0, 0));

    // Bank payout: CREATED with OTP, reserved, then validated and settled.
    let payout = api
        .post(
            &format!("{}/bank-payouts", eur.base()),
            bank_payout_body(20_000, "EUR"),
        )
        .await;
    assert_eq!(payout.status.as_u16(), 201, "{}", payout.body);
    let payout = payout.body.clone();
    assert_eq!(payout["state"], "CREATED");
    assert_eq!(payout["isOTPRequired"], true);
    assert_eq!(payout["fee"]["amount"], 100);
    let pid = payout["id"].as_str().unwrap().to_owned();
    assert_eq!(balances(&api, &eur).await, (89_000, 0, 20_100));
    api.post(
        "/api/v1/account/otp/send",
        json!({"orderId": pid, "phoneNumber": "600000000", "phoneNumberCountry": "ES"}),
    )
    .await
    .ok();
    let wrong = api
        .post(
            &format!("/api/v1/account/bank-payouts/{pid}/validate-otp"),
            json!({"code": "000000"}),
        )
        .await;
    wrong.expect_error(422, "INVALID_OTP");
    let validated = api
        .post(
            &format!("/api/v1/account/bank-payouts/{pid}/validate-otp"),
            json!({"code": "123456"}),
        )
        .await;
    let validated = validated.ok().clone();
    assert_eq!(validated["state"], "SETTLED");
    assert!(validated["validatedAt"].is_string() && validated["settledAt"].is_string());
    assert_eq!(balances(&api, &eur).await, (68_900, 0, 0));
    let again = api
        .post(
            &format!("/api/v1/account/bank-payouts/{pid}/validate-otp"),
            json!({"code": "123456"}),
        )
        .await;
    again.expect_error(422, "INVALID_STATE");
    let event = &api.events_named("payout_completed")[0];
    assert_eq!(event["payoutType"], "bankPayout");
    assert_eq!(event["ownReference"], "payout-1");
    assert_eq!(event["source"]["debitedAccountId"], eur.aid.as_str());
    assert_eq!(
        event["amounts"]["debitedAmount"],
        json!({"amount": 20_100, "currency": "EUR"})
    );
    assert_eq!(event["amounts"]["amountAfterFees"]["amount"], 20_000);
    assert_eq!(
        event["amounts"]["fees"]["breakdown"],
        json!({"systemFee": 60, "merchantFee": 40})
    );
    assert_eq!(event["destination"]["beneficiary"]["name"], "Ana");
    let detail = api
        .get(&format!("/api/v1/account/bank-payouts/{pid}"))
        .await
        .ok()
        .clone();
    assert_eq!(
        detail["recipient"]["accountNumber"],
        "ES7921000813610123456789"
    );
    assert_eq!(detail["description"], "rent");

    // Crypto payout from USD to USDT.
    let crypto = api
        .post(
            &format!("{}/crypto-payouts", usd.base()),
            json!({"amounts": {"debitedAmount": {"currency": "USD", "amount": 1_000}},
                   "description": "to wallet", "ownReference": "c-1",
                   "recipient": {"address": "So1anaAddr", "currency": "USDT", "network": "SOLANA"}}),
        )
        .await;
    assert_eq!(crypto.status.as_u16(), 201, "{}", crypto.body);
    assert_eq!(
        crypto.body["destination"],
        json!({"currency": "USDT", "amount": 10_000_000})
    );
    let cid = crypto.body["id"].as_str().unwrap().to_owned();
    api.post(
        &format!("/api/v1/account/crypto-payouts/{cid}/validate-otp"),
        json!({"code": "123456"}),
    )
    .await
    .ok();
    let c = api
        .get(&format!("/api/v1/account/crypto-payouts/{cid}"))
        .await
        .ok()
        .clone();
    assert_eq!(c["state"], "SETTLED");
    assert_eq!(c["recipient"]["network"], "SOLANA");
    assert_eq!(balances(&api, &usd).await, (10_850 - 1_100, 0, 0));

    // Orders: merchant list, filters, account list, by id.
    let all = api
        .get("/api/v1/account/orders?pageSize=2&sort=-createdAt")
        .await
        .ok()
        .clone();
    assert_eq!(all["pagination"]["total"], 4);
    assert_eq!(all["pagination"]["next"], "2");
    assert_eq!(all["orders"].as_array().unwrap().len(), 2);
    let outs = api
        .get("/api/v1/account/orders?direction=OUT&type_eq=BANK_PAY_OUT")
        .await
        .ok()
        .clone();
    assert_eq!(outs["orders"].as_array().unwrap().len(), 1);
    assert_eq!(outs["orders"][0]["id"], pid.as_str());
    let eur_orders = api
        .get(&format!("{}/orders?state_eq=SETTLED", eur.base()))
        .await
        .ok()
        .clone();
    assert_eq!(eur_orders["pagination"]["total"], 3);
    let usd_orders = api
        .get(&format!("{}/orders?originCurrency_eq=EUR", usd.base()))
        .await
        .ok()
        .clone();
    assert_eq!(
        usd_orders["pagination"]["total"], 1,
        "the transfer it received"
    );
    let by_id = api
        .get(&format!("/api/v1/account/orders/{pid}"))
        .await
        .ok()
        .clone();
    assert_eq!(by_id["type"], "BANK_PAY_OUT");
    api.get("/api/v1/account/orders?bogus_eq=1")
        .await
        .expect_error(400, "VALIDATION_ERROR");

    // Ledger: snake_case list, camelCase detail, reconciles.
    let txs = api
        .get(&format!("{}/transactions", eur.base()))
        .await
        .ok()
        .clone();
    let txs = txs.as_array().unwrap().clone();
    assert_eq!(
        txs.iter()
            .map(|t| t["amount"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        vec![99_000, -10_000, -20_100]
    );
    let tx = api
        .get(&format!(
            "{}/transactions/{}",
            eur.base(),
            txs[2]["id"].as_str().unwrap()
        ))
        .await
        .ok()
        .clone();
    assert_eq!(tx["runningBalance"], 68_900);
    assert_eq!(tx["order"]["id"], pid.as_str());
    assert!(tx.get("running_balance").is_none());
    assert_ledger_reconciles(&api, &eur).await;
    assert_ledger_reconciles(&api, &usd).await;
}

#[tokio::test]
async fn card_payin_pending_then_settled_or_failed_via_control() {
    let api = Api::start().await;
    let uid = api.regular_user().await;
    let eur = account(&api, &uid, "EUR").await;
    let body = json!({"amount": 5_000, "currency": "EUR", "reference": "CARD-1",
                      "urlSuccess": "https://shop.test/ok", "urlFailed": "https://shop.test/ko",
                      "payer": {"name": "Luis", "email": "luis@example.com"}});
    let created = api
        .post(&format!("{}/card-payins", eur.base()), body.clone())
        .await;
    assert_eq!(created.status.as_u16(), 201, "{}", created.body);
    assert!(
        created.body["paymentUrl"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    assert_eq!(created.body["order"]["state"], "PENDING");
    let oid = created.body["order"]["id"].as_str().unwrap().to_owned();
    assert_eq!(balances(&api, &eur).await, (0, 4_950, 0));
    let processing = api.events_named("payin_processing");
    assert_eq!(processing[0]["status"], "PROCESSING");
    assert_eq!(processing[0]["source"]["type"], "card");
    assert_eq!(processing[0]["source"]["payer"]["name"], "Luis");
    assert!(processing[0]["amounts"].get("creditedAmount").is_none());

    api.control(&format!("/sandbox/v1/orders/{oid}/settle"), Value::Null)
        .await
        .ok();
    assert_eq!(balances(&api, &eur).await, (4_950, 0, 0));
    assert_eq!(
        api.events_named("payin_completed")[0]["payinType"],
        "cardPayin"
    );
    let card = api
        .get(&format!("/api/v1/account/card-payins/{oid}"))
        .await
        .ok()
        .clone();
    assert_eq!(card["state"], "SETTLED");
    assert_eq!(card["card"]["cardBin"], "999999");
    // A card payin is not a bank payin.
    api.get(&format!("/api/v1/account/bank-payins/{oid}"))
        .await
        .expect_error(404, "NOT_FOUND");
    // Illegal: settle or fail a settled order.
    api.control(&format!("/sandbox/v1/orders/{oid}/settle"), Value::Null)
        .await
        .expect_error(422, "INVALID_STATE");
    api.control(&format!("/sandbox/v1/orders/{oid}/fail"), Value::Null)
        .await
        .expect_error(422, "INVALID_STATE");

    // A second card payin fails with a reason.
    let second = api.post(&format!("{}/card-payins", eur.base()), body).await;
    let oid2 = second.body["order"]["id"].as_str().unwrap().to_owned();
    let failed = api
        .control(
            &format!("/sandbox/v1/orders/{oid2}/fail"),
            json!({"reason": "3ds timeout"}),
        )
        .await;
    assert_eq!(failed.ok()["state"], "FAILED");
    assert!(failed.body["failedAt"].is_string());
    let ev = &api.events_named("payin_failed")[0];
    assert_eq!(
        ev["failure"],
        json!({"code": "CARD_PAYIN_FAILED", "reason": "3ds timeout"})
    );
    assert_eq!(balances(&api, &eur).await, (4_950, 0, 0));
    assert_ledger_reconciles(&api, &eur).await;
    api.control(
        &format!("/sandbox/v1/orders/{}/settle", uuid::Uuid::new_v4()),
        Value::Null,
    )
    .await
    .expect_error(404, "NOT_FOUND");
}

#[tokio::test]
async fn manual_settlement_and_failures_release_reservations() {
    let config = SandboxConfig {
        auto_settle: AutoSettle { orders: false },
        ..SandboxConfig::for_tests()
    };
    let api = Api::start_with(config).await;
    let uid = api.regular_user().await;
    let a = account(&api, &uid, "EUR").await;
    let b = account(&api, &uid, "EUR").await;
    // A pending payin counts in pendingIn only.
    let pending = api
        .control(
            &format!("/sandbox/v1/accounts/{}/payins", a.aid),
            json!({"method": "CRYPTO", "amount": 50_000, "currency": "EUR", "settle": false}),
        )
        .await;
    assert_eq!(pending.ok()["state"], "PENDING");
    assert_eq!(balances(&api, &a).await, (0, 49_500, 0));
    assert!(api.events_named("payin_completed").is_empty());
    let poid = pending.body["id"].as_str().unwrap();
    api.control(&format!("/sandbox/v1/orders/{poid}/settle"), Value::Null)
        .await
        .ok();
    assert_eq!(
        api.events_named("payin_completed")[0]["payinType"],
        "cryptoPayin"
    );
    api.get(&format!("/api/v1/account/crypto-payins/{poid}"))
        .await
        .ok();

    // Transfer stays PENDING, then fails: ERROR, reservation released.
    let t = api
        .post(&format!("{}/transfers", a.base()), json!({"code2fa": "123456", "origin": {"currency": "EUR", "amount": 9_000}, "recipient": {"accountId": b.aid}, "reference": "r"}))
        .await;
    assert_eq!(t.body["state"], "PENDING", "{}", t.body);
    assert_eq!(balances(&api, &a).await, (49_500, 0, 9_000));
    assert_eq!(balances(&api, &b).await, (0, 9_000, 0));
    let toid = t.body["id"].as_str().unwrap();
    api.control(
        &format!("/sandbox/v1/orders/{toid}/fail"),
        json!({"reason": "compliance"}),
    )
    .await
    .ok();
    let last = api.events_named("transfer_state_updated").pop().unwrap();
    assert_eq!(
        last,
        json!({"transferId": toid, "state": "ERROR", "error": "compliance"})
    );
    assert_eq!(balances(&api, &a).await, (49_500, 0, 0));
    assert_eq!(balances(&api, &b).await, (0, 0, 0));

    // Payout: settle before OTP is illegal; validated stays PENDING; control settles it.
    let p = api
        .post(
            &format!("{}/bank-payouts", a.base()),
            bank_payout_body(10_000, "EUR"),
        )
        .await;
    let pid = p.body["id"].as_str().unwrap().to_owned();
    api.control(&format!("/sandbox/v1/orders/{pid}/settle"), Value::Null)
        .await
        .expect_error(422, "INVALID_STATE");
    let v = api
        .post(
            &format!("/api/v1/account/bank-payouts/{pid}/validate-otp"),
            json!({"code": "123456"}),
        )
        .await;
    assert_eq!(v.ok()["state"], "PENDING");
    assert!(api.events_named("payout_completed").is_empty());
    api.control(&format!("/sandbox/v1/orders/{pid}/settle"), Value::Null)
        .await
        .ok();
    assert_eq!(api.events_named("payout_completed").len(), 1);
    assert_eq!(balances(&api, &a).await, (39_400, 0, 0));
    // A CREATED payout can be failed (cancelled): reservation released, no transaction.
    let p2 = api
        .post(
            &format!("{}/bank-payouts", a.base()),
            bank_payout_body(1_000, "EUR"),
        )
        .await;
    let p2id = p2.body["id"].as_str().unwrap();
    assert_eq!(balances(&api, &a).await, (39_400, 0, 1_100));
    api.control(&format!("/sandbox/v1/orders/{p2id}/fail"), Value::Null)
        .await
        .ok();
    assert_eq!(balances(&api, &a).await, (39_400, 0, 0));
    assert_ledger_reconciles(&api, &a).await;
    assert_ledger_reconciles(&api, &b).await;
}

#[tokio::test]
async fn money_errors() {
    let api = Api::start().await;
    let uid = api.regular_user().await;
    let other_uid = api.regular_user().await;
    let eur = account(&api, &uid, "EUR").await;
    let usd = account(&api, &uid, "USD").await;
    let other = account(&api, &other_uid, "EUR").await;
    fund(&api, &eur, 10_000, "EUR").await; // 9_900 available
    let transfer = |amount: i64, code: &str| {
        json!({"code2fa": code, "origin": {"currency": "EUR", "amount": amount},
               "recipient": {"accountId": usd.aid}, "reference": "r"})
    };
    let url = format!("{}/transfers", eur.base());

    // 400s name the field.
    assert_eq!(
        api.post(&url, transfer(0, "123456"))
            .await
            .violation_fields(),
        vec!["origin.amount"]
    );
    assert_eq!(
        api.post(&url, transfer(-5, "123456"))
            .await
            .violation_fields(),
        vec!["origin.amount"]
    );
    assert_eq!(
        api.post(&url, transfer(1_000_000_000_000_001, "123456"))
            .await
            .violation_fields(),
        vec!["origin.amount"]
    );
    // Beyond i64: sent as raw text so the client cannot round it first.
    let huge = format!(
        r#"{{"code2fa": "123456", "origin": {{"currency": "EUR", "amount": 99999999999999999999}},
             "recipient": {{"accountId": "{}"}}, "reference": "r"}}"#,
        usd.aid
    );
    let reply = api
        .send_raw(
            api.http
                .post(api.url(&url))
                .bearer_auth(&api.token)
                .header("content-type", "application/json")
                .body(huge),
        )
        .await;
    assert_eq!(reply.violation_fields(), vec!["origin.amount"]);
    let bad_currency = json!({"code2fa": "123456", "origin": {"currency": "GBP", "amount": 5},
                              "recipient": {"accountId": "nope"}});
    let fields = api.post(&url, bad_currency).await.violation_fields();
    assert_eq!(
        fields,
        vec!["origin.currency", "recipient.accountId", "reference"]
    );
    // 422s.
    api.post(&url, transfer(100, "000000"))
        .await
        .expect_error(422, "INVALID_OTP");
    let err = api.post(&url, transfer(9_901, "123456")).await;
    err.expect_error(422, "INSUFFICIENT_FUNDS");
    let mismatch = json!({"code2fa": "123456", "origin": {"currency": "USD", "amount": 5},
                          "recipient": {"accountId": usd.aid}, "reference": "r"});
    let body = api.post(&url, mismatch).await;
    assert!(
        body.expect_error(422, "CURRENCY_MISMATCH")["message"]
            .as_str()
            .unwrap()
            .contains("origin.currency")
    );
    // Nothing was created by the refused operations.
    let orders = api.get("/api/v1/account/orders").await.ok().clone();
    assert_eq!(orders["pagination"]["total"], 1);
    assert_eq!(balances(&api, &eur).await, (9_900, 0, 0));
    // Payout above available (amount + fee) -> nothing created.
    api.post(
        &format!("{}/bank-payouts", eur.base()),
        bank_payout_body(9_801, "EUR"),
    )
    .await
    .expect_error(422, "INSUFFICIENT_FUNDS");
    api.post(
        &format!("{}/bank-payouts", eur.base()),
        bank_payout_body(100, "USD"),
    )
    .await
    .expect_error(422, "CURRENCY_MISMATCH");
    let mut both = bank_payout_body(100, "EUR");
    both["amounts"]["receivedAmount"]["amount"] = json!(5);
    assert_eq!(
        api.post(&format!("{}/bank-payouts", eur.base()), both)
            .await
            .violation_fields(),
        vec!["amounts"]
    );
    let mut business = bank_payout_body(100, "EUR");
    business["recipient"]["beneficiaryType"] = json!("BUSINESS");
    let fields = api
        .post(&format!("{}/bank-payouts", eur.base()), business)
        .await
        .violation_fields();
    assert_eq!(
        fields,
        vec!["recipient.companyName", "recipient.document.documentType"]
    );
    assert_eq!(
        api.get("/api/v1/account/orders").await.ok()["pagination"]["total"],
        1
    );
    // 403 / 404.
    api.post(
        &format!(
            "/api/v1/account/users/{uid}/accounts/{}/transfers",
            other.aid
        ),
        transfer(1, "123456"),
    )
    .await
    .expect_error(403, "FORBIDDEN");
    let ghost = json!({"code2fa": "123456", "origin": {"currency": "EUR", "amount": 5},
                       "recipient": {"accountId": uuid::Uuid::new_v4()}, "reference": "r"});
    api.post(&url, ghost).await.expect_error(404, "NOT_FOUND");
    api.get("/api/v1/account/transfers/not-a-uuid")
        .await
        .expect_error(400, "VALIDATION_ERROR");
    api.get(&format!(
        "/api/v1/account/transfers/{}",
        uuid::Uuid::new_v4()
    ))
    .await
    .expect_error(404, "NOT_FOUND");
    // Transfer to itself.
    let to_self = json!({"code2fa": "123456", "origin": {"currency": "EUR", "amount": 5},
                         "recipient": {"accountId": eur.aid}, "reference": "r"});
    assert_eq!(
        api.post(&url, to_self).await.violation_fields(),
        vec!["recipient.accountId"]
    );
    // Quotes: unknown 404, expired 422 after the clock moves.
    let with_quote = |q: &str| {
        json!({"code2fa": "123456", "origin": {"currency": "EUR", "amount": 100},
               "recipient": {"accountId": usd.aid}, "reference": "r", "quoteId": q})
    };
    api.post(&url, with_quote(&uuid::Uuid::new_v4().to_string()))
        .await
        .expect_error(404, "NOT_FOUND");
    let q = api
        .post(&format!("{}/transfers/simulate", eur.base()), json!({"origin": {"currency": "EUR", "amount": 100}, "recipient": {"accountId": usd.aid}}))
        .await
        .ok()
        .clone();
    api.control("/sandbox/v1/clock/advance", json!({"seconds": 31}))
        .await
        .ok();
    api.post(&url, with_quote(q["quoteId"].as_str().unwrap()))
        .await
        .expect_error(422, "QUOTE_EXPIRED");
    // Card payin: unknown currency 400, mismatch 422.
    let card = |currency: &str| json!({"amount": 100, "currency": currency, "reference": "c", "urlSuccess": "https://a.test", "urlFailed": "https://b.test"});
    assert_eq!(
        api.post(&format!("{}/card-payins", eur.base()), card("XXX"))
            .await
            .violation_fields(),
        vec!["currency"]
    );
    api.post(&format!("{}/card-payins", eur.base()), card("USD"))
        .await
        .expect_error(422, "CURRENCY_MISMATCH");
    // Control payin validation.
    let bad = api
        .control(
            &format!("/sandbox/v1/accounts/{}/payins", eur.aid),
            json!({"method": "CASH", "amount": 0}),
        )
        .await;
    assert_eq!(bad.violation_fields(), vec!["method", "amount", "currency"]);
}

#[tokio::test]
async fn money_needs_an_active_account() {
    let config = SandboxConfig {
        auto_activate: AutoActivate {
            accounts: false,
            vibans: true,
        },
        ..SandboxConfig::for_tests()
    };
    let api = Api::start_with(config).await;
    let uid = api.regular_user().await;
    let a = account(&api, &uid, "EUR").await;
    api.control(
        &format!("/sandbox/v1/accounts/{}/payins", a.aid),
        json!({"method": "BANK", "amount": 100, "currency": "EUR"}),
    )
    .await
    .expect_error(422, "ACCOUNT_NOT_ACTIVE");
    api.post(
        &format!("{}/bank-payouts", a.base()),
        bank_payout_body(100, "EUR"),
    )
    .await
    .expect_error(422, "ACCOUNT_NOT_ACTIVE");
    assert_eq!(
        api.get("/api/v1/account/orders").await.ok()["pagination"]["total"],
        0
    );
}

#[tokio::test]
async fn balances_reconcile_after_a_sequence() {
    let api = Api::start().await;
    let uid = api.regular_user().await;
    let accts = [
        account(&api, &uid, "EUR").await,
        account(&api, &uid, "EUR").await,
        account(&api, &uid, "USD").await,
    ];
    fund(&api, &accts[0], 500_000, "EUR").await;
    fund(&api, &accts[2], 300_000, "USD").await;
    for i in 0..6_i64 {
        let from = &accts[(i % 3) as usize];
        let to = &accts[((i + 1) % 3) as usize];
        let (balance, _, _) = balances(&api, from).await;
        let currency = if (i % 3) == 2 { "USD" } else { "EUR" };
        let amount = balance / 4 + 1;
        api.post(
            &format!("{}/transfers", from.base()),
            json!({"code2fa": "123456", "origin": {"currency": currency, "amount": amount}, "recipient": {"accountId": to.aid}, "reference": format!("seq-{i}")}),
        )
        .await
        .ok();
        let p = api
            .post(
                &format!("{}/bank-payouts", from.base()),
                bank_payout_body(amount / 10 + 1, currency),
            )
            .await;
        let pid = p.ok()["id"].as_str().unwrap().to_owned();
        api.post(
            &format!("/api/v1/account/bank-payouts/{pid}/validate-otp"),
            json!({"code": "123456"}),
        )
        .await
        .ok();
    }
    for a in &accts {
        assert_ledger_reconciles(&api, a).await;
        let (balance, pending_in, pending_out) = balances(&api, a).await;
        assert!(balance >= 0 && pending_in == 0 && pending_out == 0);
    }
}
