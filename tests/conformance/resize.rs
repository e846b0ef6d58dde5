//! Resize and rebuild through the provider client: the provider then reports the new plan (and
//! the disk its rules promise) or the new image, the machine keeps its id and, where the rules
//! say so, its IP; what the provider refuses is an error; every request follows the spec.

use std::time::{Duration, Instant};

use hangar::provider::{
    CloudProvider, ImageRef, Machine, MachineStatus, PowerAction, Size, rebuild_of, resize_of,
    snapshots_of,
};
use hangar_emulator::{EmulatedProvider, Emulator};

use super::harness::unique;
use super::suite::{assert_requests_follow_the_spec, create_request, wait_ready};

async fn wait_for(p: &dyn CloudProvider, id: &str, want: MachineStatus) -> Machine {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let m = p.get_machine(id).await.expect("get");
        if m.status == want {
            return m;
        }
        assert!(
            Instant::now() < deadline,
            "still {:?}, want {want:?}",
            m.status
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The cheapest size of `region` other than `current` whose disk is at least `disk` GB and
/// which `accept` takes.
fn pick<'a>(
    sizes: &'a [Size],
    region: &str,
    current: &str,
    accept: impl Fn(&Size) -> bool,
) -> &'a Size {
    sizes
        .iter()
        .filter(|s| s.slug != current && s.regions.iter().any(|r| r == region) && accept(s))
        .min_by(|a, b| a.price_monthly.total_cmp(&b.price_monthly))
        .unwrap_or_else(|| panic!("no size for the test in {region}"))
}

pub async fn resize_changes_the_plan(
    p: &dyn CloudProvider,
    emulator: &Emulator,
    kind: EmulatedProvider,
) {
    assert!(p.capabilities().resize, "{kind:?}");
    let resizer = resize_of(p).expect("resize");
    let rules = resizer.resize_rules();
    let request = create_request(p, &unique("resize"), &unique("hangar-resize")).await;
    let created = p.create_machine(&request).await.expect("create");
    let ready = wait_ready(p, &created.id).await;
    emulator.clear_requests();
    let sizes = p.sizes().await.expect("sizes");
    let disk = resizer.disk_gb(&created.id).await.expect("disk");
    let current = sizes.iter().find(|s| s.slug == ready.size).expect("plan");
    assert_eq!(
        disk, current.disk_gb,
        "{kind:?}: a new machine has its plan's disk"
    );
    let bigger = pick(&sizes, &ready.region, &ready.size, |s| {
        s.disk_gb > disk && s.vcpus >= current.vcpus && s.memory_mb > current.memory_mb
    });

    if rules.needs_power_off {
        let err = resizer
            .resize_machine(&created.id, &bigger.slug, false)
            .await
            .expect_err("a resize of a machine that is on");
        assert!(
            err.to_string().contains("power it off"),
            "{kind:?}: the provider's refusal is passed on: {err}"
        );
        p.power(&created.id, PowerAction::PowerOff)
            .await
            .expect("off");
        wait_for(p, &created.id, MachineStatus::Off).await;
    }
    resizer
        .resize_machine(&created.id, &bigger.slug, false)
        .await
        .expect("resize");
    let after = p.get_machine(&created.id).await.expect("get");
    assert_eq!(after.size, bigger.slug, "{kind:?}");
    assert_eq!(after.id, created.id);
    assert_eq!(after.ipv4, ready.ipv4, "{kind:?}: the IP stays");
    let disk_now = resizer.disk_gb(&created.id).await.expect("disk");
    if rules.can_keep_disk {
        assert_eq!(disk_now, disk, "{kind:?}: `grow_disk: false` kept the disk");
        // Kept: the way back is open. Then grow the disk for good.
        resizer
            .resize_machine(&created.id, &ready.size, false)
            .await
            .expect("back to the first plan");
        assert_eq!(p.get_machine(&created.id).await.unwrap().size, ready.size);
        resizer
            .resize_machine(&created.id, &bigger.slug, true)
            .await
            .expect("resize with the disk");
    }
    assert_eq!(
        resizer.disk_gb(&created.id).await.expect("disk"),
        bigger.disk_gb,
        "{kind:?}: the disk grew with the plan"
    );
    // A plan with a smaller disk than the machine's is refused, and nothing changes.
    let err = resizer
        .resize_machine(&created.id, &ready.size, false)
        .await
        .expect_err("a smaller disk");
    // The provider's refusal (its wording differs: "smaller disk", "more disk than the new
    // service plan allows").
    assert!(
        matches!(err, hangar::provider::ProviderError::Validation { .. }),
        "{kind:?}: {err:?}"
    );
    assert!(err.to_string().contains("disk"), "{kind:?}: {err}");
    assert_eq!(p.get_machine(&created.id).await.unwrap().size, bigger.slug);

    p.destroy_machine(&created.id).await.expect("destroy");
    assert_requests_follow_the_spec(emulator, kind);
}

pub async fn rebuild_keeps_the_machine(
    p: &dyn CloudProvider,
    emulator: &Emulator,
    kind: EmulatedProvider,
) {
    assert!(p.capabilities().rebuild, "{kind:?}");
    let rebuilder = rebuild_of(p).expect("rebuild");
    let rules = rebuilder.rebuild_rules();
    let request = create_request(p, &unique("rebuild"), &unique("hangar-rebuild")).await;
    let created = p.create_machine(&request).await.expect("create");
    let ready = wait_ready(p, &created.id).await;
    emulator.clear_requests();
    let images = p.images().await.expect("images");
    let other = images
        .iter()
        .find(|i| i.id != ready.image)
        .expect("a second image");
    rebuilder
        .rebuild_machine(&created.id, &ImageRef::Image(other.id.clone()))
        .await
        .expect("rebuild");
    let after = p.get_machine(&created.id).await.expect("get");
    assert_eq!(after.image, other.id, "{kind:?}: the new image");
    assert_eq!(
        (after.id.as_str(), after.name.as_str(), after.size.as_str()),
        (ready.id.as_str(), ready.name.as_str(), ready.size.as_str()),
        "{kind:?}: the same machine"
    );
    if rules.keeps_ip {
        assert_eq!(after.ipv4, ready.ipv4, "{kind:?}: the IP stays");
    }
    // An image the provider does not have is refused.
    let err = rebuilder
        .rebuild_machine(&created.id, &ImageRef::Image("999999".into()))
        .await
        .expect_err("an unknown image");
    assert!(
        err.to_string().to_lowercase().contains("image") || err.to_string().contains("os_id"),
        "{kind:?}: {err}"
    );
    assert_eq!(p.get_machine(&created.id).await.unwrap().image, other.id);

    // From a snapshot, where the provider can: the machine runs what the snapshot holds.
    if rules.from_snapshot {
        let snapshots = snapshots_of(p).expect("a provider that rebuilds from snapshots has them");
        let snapshot = snapshots
            .create_snapshot(&created.id, &unique("before-rebuild"))
            .await
            .expect("snapshot");
        rebuilder
            .rebuild_machine(&created.id, &ImageRef::Snapshot(snapshot.id.clone()))
            .await
            .expect("rebuild from the snapshot");
        let restored = p.get_machine(&created.id).await.expect("get");
        // DigitalOcean shows the snapshot as the image; Vultr the OS it was taken of.
        assert!(
            restored.image == snapshot.id || restored.image == other.id,
            "{kind:?}: {restored:?}"
        );
        assert_eq!(restored.id, created.id);
        if rules.keeps_ip {
            assert_eq!(restored.ipv4, ready.ipv4, "{kind:?}: the IP stays");
        }
        let err = rebuilder
            .rebuild_machine(&created.id, &ImageRef::Snapshot("424242".into()))
            .await
            .expect_err("an unknown snapshot");
        assert!(!err.to_string().is_empty());
        snapshots
            .delete_snapshot(&snapshot.id)
            .await
            .expect("delete the snapshot");
    }

    p.destroy_machine(&created.id).await.expect("destroy");
    assert_requests_follow_the_spec(emulator, kind);
}
