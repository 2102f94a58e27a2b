//! What the compiled protobuf contract says about the API surface: service and method names.

use prost::Message;
use prost_types::FileDescriptorSet;

/// The full names (`ralio.v1.UsersService`) and RPC paths (`/ralio.v1.UsersService/GetUser`)
/// in an encoded `FileDescriptorSet`.
#[derive(Debug, Clone, Default)]
pub struct ApiSurface {
    pub services: Vec<String>,
    pub methods: Vec<String>,
}

impl ApiSurface {
    /// Reads the services of the given encoded descriptor sets (files without services, such as
    /// `google/protobuf/*`, contribute nothing). A set that does not decode is skipped with a
    /// log line: it only limits metrics labels and health entries.
    pub fn from_descriptor_sets(sets: &[&[u8]]) -> Self {
        let mut surface = Self::default();
        for bytes in sets {
            let set = match FileDescriptorSet::decode(*bytes) {
                Ok(set) => set,
                Err(err) => {
                    tracing::error!(error = %err, "unreadable file descriptor set");
                    continue;
                }
            };
            for file in &set.file {
                let package = file.package();
                for service in &file.service {
                    let full = if package.is_empty() {
                        service.name().to_owned()
                    } else {
                        format!("{package}.{}", service.name())
                    };
                    for method in &service.method {
                        surface.methods.push(format!("/{full}/{}", method.name()));
                    }
                    surface.services.push(full);
                }
            }
        }
        surface.services.sort();
        surface.services.dedup();
        surface.methods.sort();
        surface.methods.dedup();
        surface
    }

    /// Our own services (`ralio.*`), the ones health reports on.
    pub fn ralio_services(&self) -> impl Iterator<Item = &str> {
        self.services
            .iter()
            .map(String::as_str)
            .filter(|name| name.starts_with("ralio."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn health_descriptor_lists_its_service_and_methods() {
        let surface = ApiSurface::from_descriptor_sets(&[tonic_health::pb::FILE_DESCRIPTOR_SET]);
        assert_eq!(surface.services, ["grpc.health.v1.Health"]);
        assert!(
            surface
                .methods
                .contains(&"/grpc.health.v1.Health/Check".to_owned())
        );
        assert!(
            surface
                .methods
                .contains(&"/grpc.health.v1.Health/Watch".to_owned())
        );
        assert_eq!(surface.ralio_services().count(), 0);
    }

    #[test]
    fn the_ralio_contract_has_services() {
        let surface = ApiSurface::from_descriptor_sets(&[crate::FILE_DESCRIPTOR_SET]);
        assert!(surface.ralio_services().count() > 0, "{surface:?}");
    }
}
