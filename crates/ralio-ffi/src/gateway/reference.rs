//! Reference data through the gateway (`ReferenceService`).

use ralio_core::model::ActivityList;
use ralio_core::{CallOptions, ListQuery};
use ralio_gateway::proto::ralio::v1 as pb;
use ralio_gateway::proto::ralio::v1::reference_service_client::ReferenceServiceClient;

use super::{GatewayConn, only_paging, opt, page_out, pagination_in, status_to_error};
use crate::error::RalioFfiError;

pub async fn list_activities(
    conn: &GatewayConn,
    options: &CallOptions,
    query: ListQuery,
    language: Option<String>,
) -> Result<ActivityList, RalioFfiError> {
    only_paging(&query)?;
    let request = pb::ListActiveActivitiesRequest {
        page: page_out(&query),
        language: language.unwrap_or_default(),
    };
    let response = ReferenceServiceClient::new(conn.channel.clone())
        .list_active_activities(conn.request(request, options)?)
        .await
        .map_err(status_to_error)?
        .into_inner();
    Ok(ActivityList {
        activities: response
            .activities
            .into_iter()
            .map(|a| ralio_core::model::Activity {
                id: (a.id != 0).then_some(a.id),
                name: opt(a.name),
                slug: a.slug,
            })
            .collect(),
        pagination: response.pagination.map(pagination_in),
    })
}
