//! Snapshots through the provider client: take one of a machine (waited for until it is
//! available), find it in the account's list, create a machine from it, and delete it, leaving
//! nothing behind; every request the client sent follows the provider's spec.

use hangar::provider::{
    CloudProvider, ImageRef, MachineFilter, ProviderError, SnapshotStatus, snapshots_of,
};
use hangar_emulator::{EmulatedProvider, Emulator};

use super::harness::unique;
use super::suite::{assert_requests_follow_the_spec, create_request, wait_ready};

pub async fn snapshot_then_create_from_it(
    p: &dyn CloudProvider,
    emulator: &Emulator,
    kind: EmulatedProvider,
) {
    emulator.clear_requests();
    if !p.capabilities().snapshots {
        // A provider without machine snapshots (Linode) says so before any request, through
        // the client and the use case alike.
        let refused = snapshots_of(p).err();
        assert!(
            matches!(refused, Some(ProviderError::Unsupported { .. })),
            "{kind:?}: {refused:?}"
        );
        let id = kind.sample().missing_id;
        let sink = |_: hangar::usecases::SnapshotProgress| {};
        let e = hangar::usecases::snapshots::create_snapshot(p, id, "x", true, &sink)
            .await
            .expect_err("no snapshots");
        assert_eq!(
            e.kind,
            hangar::error::ErrorKind::Unsupported,
            "{kind:?}: {e}"
        );
        assert!(emulator.requests().is_empty(), "{kind:?}: sent requests");
        return;
    }
    let s = snapshots_of(p).expect("snapshots");
    let tag = unique("hangar-snap");
    let request = create_request(p, &unique("snap-src"), &tag).await;
    let source = p.create_machine(&request).await.expect("create");
    wait_ready(p, &source.id).await;

    let name = unique("snapshot");
    let snapshot = s
        .create_snapshot(&source.id, &name)
        .await
        .expect("snapshot");
    assert_eq!(snapshot.name, name, "{kind:?}");
    assert_eq!(snapshot.status, SnapshotStatus::Available, "{kind:?}");
    assert!(snapshot.offered_in(&request.region), "{snapshot:?}");
    if s.snapshot_rules().names_machine {
        assert_eq!(snapshot.machine_id.as_deref(), Some(source.id.as_str()));
    }
    let listed = s.list_snapshots().await.expect("list");
    assert_eq!(
        listed.iter().filter(|x| x.id == snapshot.id).count(),
        1,
        "{listed:?}"
    );
    assert_eq!(s.get_snapshot(&snapshot.id).await.expect("get"), snapshot);

    // A new machine from it, in the source's region.
    let mut from = request.clone();
    from.name = unique("from-snap");
    from.image = ImageRef::Snapshot(snapshot.id.clone());
    from.user_data = None;
    let copy = p.create_machine(&from).await.expect("create from snapshot");
    let copy = wait_ready(p, &copy.id).await;
    assert_eq!(copy.name, from.name);
    assert_ne!(copy.id, source.id);

    // Clean up: both machines and the snapshot.
    p.destroy_machine(&copy.id).await.expect("destroy the copy");
    p.destroy_machine(&source.id)
        .await
        .expect("destroy the source");
    s.delete_snapshot(&snapshot.id).await.expect("delete");
    let gone = s.get_snapshot(&snapshot.id).await.unwrap_err();
    assert!(gone.is_not_found(), "{gone}");
    assert!(
        !s.list_snapshots()
            .await
            .unwrap()
            .iter()
            .any(|x| x.id == snapshot.id)
    );
    let left = p.list_machines(&MachineFilter::tagged(&tag)).await.unwrap();
    assert!(left.is_empty(), "{left:?}");
    // A snapshot that is gone cannot be deployed.
    let mut again = from.clone();
    again.name = unique("from-gone");
    assert!(p.create_machine(&again).await.is_err(), "{kind:?}");
    assert!(
        p.list_machines(&MachineFilter::tagged(&tag))
            .await
            .unwrap()
            .is_empty()
    );
    assert_requests_follow_the_spec(emulator, kind);
}
