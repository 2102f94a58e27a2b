//! Reference catalogues: the activity list.

use ralio_core::model;
use tonic::Status;

use super::common::{Violations, pagination_to_proto};
use crate::proto::ralio::v1 as pb;

/// Paging of the activity list and its optional `Accept-Language` (D16).
pub fn list_activities(
    r: &pb::ListActiveActivitiesRequest,
) -> Result<(ralio_core::ListQuery, Option<String>), Status> {
    let mut v = Violations::new();
    let mut query = ralio_core::ListQuery::new();
    v.page("page", r.page.as_ref(), &mut query);
    let language = Violations::optional(r.language.trim());
    if let Some(language) = &language {
        // A header value: keep it to a language tag so nothing odd reaches the request.
        let ok = language.len() <= 35
            && language.bytes().all(|b| {
                b.is_ascii_alphanumeric()
                    || matches!(b, b'-' | b',' | b';' | b'=' | b'.' | b'*' | b' ')
            });
        if !ok {
            v.add("language", "must be a language tag such as `es` or `en-GB`");
        }
    }
    v.finish((query, language))
}

pub fn activity_to_proto(a: &model::Activity) -> pb::Activity {
    pb::Activity {
        id: a.id.unwrap_or_default(),
        name: a.name.clone().unwrap_or_default(),
        slug: a.slug.clone(),
    }
}

pub fn list_activities_response(list: model::ActivityList) -> pb::ListActiveActivitiesResponse {
    pb::ListActiveActivitiesResponse {
        activities: list.activities.iter().map(activity_to_proto).collect(),
        pagination: list.pagination.as_ref().map(pagination_to_proto),
    }
}
