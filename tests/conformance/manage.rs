//! Changing a machine in place through the provider client: rename, add and remove tags. What
//! the provider then reports is what was asked, the machine's other tags stay, and every
//! request the client sent follows the provider's spec.

use hangar::provider::CloudProvider;
use hangar_emulator::{EmulatedProvider, Emulator};

use super::harness::unique;
use super::suite::{assert_requests_follow_the_spec, create_request, wait_ready};

pub async fn rename_and_retag(p: &dyn CloudProvider, emulator: &Emulator, kind: EmulatedProvider) {
    emulator.clear_requests();
    let tag = unique("hangar-manage");
    let request = create_request(p, &unique("manage"), &tag).await;
    let created = p.create_machine(&request).await.expect("create");
    wait_ready(p, &created.id).await;

    let new_name = unique("renamed");
    p.rename_machine(&created.id, &new_name)
        .await
        .expect("rename");
    let renamed = p.get_machine(&created.id).await.expect("get");
    assert_eq!(renamed.name, new_name, "{kind:?}");

    let add = vec!["team-a".to_string(), "owner:ops".to_string()];
    p.retag_machine(&created.id, &add, &[])
        .await
        .expect("add tags");
    let tagged = p.get_machine(&created.id).await.unwrap();
    for t in add.iter().chain(&request.tags) {
        assert!(tagged.tags.contains(t), "{t} missing: {:?}", tagged.tags);
    }

    p.retag_machine(&created.id, &[], &["team-a".to_string()])
        .await
        .expect("remove a tag");
    let after = p.get_machine(&created.id).await.unwrap();
    assert!(
        !after.tags.contains(&"team-a".to_string()),
        "{:?}",
        after.tags
    );
    for t in ["owner:ops"]
        .iter()
        .map(|t| t.to_string())
        .chain(request.tags.clone())
    {
        assert!(after.tags.contains(&t), "{t} lost: {:?}", after.tags);
    }
    // The name survived the tag changes.
    assert_eq!(after.name, new_name);

    p.destroy_machine(&created.id).await.expect("destroy");
    assert_requests_follow_the_spec(emulator, kind);
}
