//! `service.yaml`: identity, endpoints and RAM facts from the document's top level.

use acs_spec::model::{ApiStyle, EndpointSpec, ResourceTypeSpec, ServiceRamSpec, ServiceSpec};

use crate::notes::Notes;
use crate::openmeta::{self, Document};

/// The service without its named types (which depend on the operations converted).
pub(crate) fn convert_service(
    document: &Document,
    product: &str,
    version: &str,
    style: ApiStyle,
    notes: &mut Notes,
) -> ServiceSpec {
    let title = document
        .ram
        .as_ref()
        .map(|ram| ram.product_name.trim())
        .filter(|name| !name.is_empty())
        .unwrap_or(document.info.product.trim())
        .to_owned();
    ServiceSpec {
        product: product.to_owned(),
        title,
        api_version: version.to_owned(),
        style,
        package: None,
        crate_version: None,
        description: None,
        endpoints: endpoints(document, notes),
        ram: ram(document),
        types: Vec::new(),
    }
}

/// One endpoint per region: the first entry with a host wins.
fn endpoints(document: &Document, notes: &mut Notes) -> Vec<EndpointSpec> {
    let mut endpoints: Vec<EndpointSpec> = Vec::new();
    for raw in &document.endpoints {
        let endpoint: openmeta::Endpoint = serde_json::from_value(raw.clone()).unwrap_or_default();
        let region = endpoint.region_id.trim().to_owned();
        let public = [&endpoint.public, &endpoint.endpoint]
            .into_iter()
            .map(|host| host.trim())
            .find(|host| !host.is_empty())
            .map(str::to_owned);
        let Some(public) = public.filter(|_| !region.is_empty()) else {
            notes.warn(
                "endpoints",
                format!("endpoint entry for region `{region}` has no host; skipped"),
            );
            continue;
        };
        if endpoints.iter().any(|e| e.region == region) {
            notes.warn(
                "endpoints",
                format!("region `{region}` is listed twice in endpoints; kept the first"),
            );
            continue;
        }
        let vpc = Some(endpoint.vpc.trim().to_owned()).filter(|vpc| !vpc.is_empty());
        endpoints.push(EndpointSpec {
            region,
            public,
            vpc,
        });
    }
    endpoints
}

/// The RAM code (the first `ramCodes` entry, else the product code) and resource types.
fn ram(document: &Document) -> Option<ServiceRamSpec> {
    let ram = document.ram.as_ref()?;
    let code = ram
        .ram_codes
        .iter()
        .map(|c| c.trim())
        .find(|c| !c.is_empty())
        .map(str::to_owned)
        .or_else(|| Some(ram.product_code.trim().to_ascii_lowercase()))
        .filter(|c| !c.is_empty())?;
    let resource_types = ram
        .resource_types
        .iter()
        .filter(|r| !r.resource_type.is_empty() && !r.arn.is_empty())
        .map(|r| ResourceTypeSpec {
            name: r.resource_type.clone(),
            arn: r.arn.clone(),
        })
        .collect();
    Some(ServiceRamSpec {
        code,
        resource_types,
    })
}
