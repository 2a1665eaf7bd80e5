/// The autoscaler publishes the snapshots `/ws/fleet` forwards, and learns from the results.
extension ScalingController: FleetSnapshotSource, FleetResultObserver {}
