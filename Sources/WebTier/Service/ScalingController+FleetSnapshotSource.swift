/// The autoscaler publishes the snapshots `/ws/fleet` forwards.
extension ScalingController: FleetSnapshotSource {}
