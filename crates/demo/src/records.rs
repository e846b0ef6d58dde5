//! DNS records of the demo cloud: A records naming its ready machines (so the DNS screen shows
//! records labelled with machines, of this session and others) and one record of each other
//! type the app edits. Machine addresses are only known once the emulator runs, so the records
//! are created through the demo accounts' own clients.

use hangar::provider::{CloudProvider, DnsRecordSpec, DnsRecordType, MachineFilter};

use hangar::fleet::LiveAccount;

/// Which machine gets an A record under which name, per zone.
const MACHINE_RECORDS: [(&str, &str); 6] = [
    ("web-1", "web-1"),
    ("web-2", "web-2"),
    ("db-primary", "db"),
    ("ci-runner", "ci"),
    ("edge-ewr", "edge-ewr"),
    ("edge-ams", "edge-ams"),
];

fn with(mut spec: DnsRecordSpec, f: impl FnOnce(&mut DnsRecordSpec)) -> DnsRecordSpec {
    f(&mut spec);
    spec
}

/// The non-address records of a zone: one of each other type, the CNAME an alias of the
/// machine `alias_of`.
fn other_records(zone: &str, alias_of: &str) -> Vec<DnsRecordSpec> {
    use DnsRecordType::*;
    vec![
        // An alias of a machine: destroying it (web-1 on DigitalOcean) offers to delete the
        // alias too.
        DnsRecordSpec::new(CNAME, "blog", format!("{alias_of}.{zone}.")),
        with(DnsRecordSpec::new(MX, "@", format!("mail.{zone}.")), |r| {
            r.priority = Some(10)
        }),
        DnsRecordSpec::new(TXT, "@", "v=spf1 mx -all"),
        with(DnsRecordSpec::new(CAA, "@", "letsencrypt.org"), |r| {
            r.flags = Some(0);
            r.tag = Some("issue".into());
        }),
        with(
            DnsRecordSpec::new(SRV, "_sip._tcp", format!("sip.{zone}.")),
            |r| {
                r.priority = Some(10);
                r.weight = Some(5);
                r.port = Some(5060);
            },
        ),
    ]
}

/// Adds the demo records to the first zone of every account.
pub async fn add_records(accounts: &[LiveAccount]) -> Result<(), hangar::provider::ProviderError> {
    for account in accounts {
        let Ok(client) = &account.client else {
            continue;
        };
        // The alias names the account's first machine with a record of its own.
        let alias_of = super::recorded_machines(account.provider)
            .first()
            .copied()
            .unwrap_or("www");
        add_to(client.as_ref(), alias_of).await?;
    }
    Ok(())
}

async fn add_to(
    client: &dyn CloudProvider,
    alias_of: &str,
) -> Result<(), hangar::provider::ProviderError> {
    let every = MachineFilter::all();
    let (zones, machines) = tokio::join!(client.list_zones(), client.list_machines(&every));
    let Some(zone) = zones?.into_iter().next() else {
        return Ok(());
    };
    let mut specs: Vec<DnsRecordSpec> = machines?
        .iter()
        .filter_map(|m| {
            let (_, name) = MACHINE_RECORDS
                .iter()
                .find(|(machine, _)| *machine == m.name)?;
            Some(DnsRecordSpec::new(DnsRecordType::A, *name, m.ipv4.clone()?).with_ttl(300))
        })
        .collect();
    specs.extend(other_records(&zone.name, alias_of));
    for spec in &specs {
        client.create_record(&zone.name, spec).await?;
    }
    Ok(())
}
