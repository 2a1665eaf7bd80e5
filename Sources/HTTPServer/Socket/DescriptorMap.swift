/// Values keyed by file descriptor, in an array indexed by the descriptor's number.
///
/// The kernel hands out the lowest free numbers, so the array stays as long as the highest
/// descriptor in use, and a lookup (two per request in `ReadinessTable`) is an index instead of
/// hashing into a dictionary.
struct DescriptorMap<Value> {
    private var slots: [Value?] = []

    subscript(fd: Int32) -> Value? {
        get {
            let index = Int(fd)
            return index >= 0 && index < slots.count ? slots[index] : nil
        }
        set {
            let index = Int(fd)
            precondition(index >= 0, "negative descriptor")
            if index >= slots.count {
                guard newValue != nil else { return }
                slots.append(contentsOf: repeatElement(nil, count: max(index + 1 - slots.count, slots.count)))
            }
            slots[index] = newValue
        }
    }

    /// Removes and returns `fd`'s value.
    mutating func removeValue(forKey fd: Int32) -> Value? {
        let value = self[fd]
        if value != nil { self[fd] = nil }
        return value
    }

    /// Every descriptor with a value, with it, in descriptor order.
    var entries: some Sequence<(fd: Int32, value: Value)> {
        slots.enumerated().lazy.compactMap { index, value in value.map { (Int32(index), $0) } }
    }

    mutating func removeAll() {
        slots.removeAll()
    }
}
