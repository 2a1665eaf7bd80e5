import Foundation

/// Derived SigV4 signing keys, reused for every request of the same (secret, date, region,
/// service): the key only changes at midnight UTC, and deriving it costs four HMACs.
///
/// A lock-protected class: `@unchecked Sendable` is sound because `entries` is only touched
/// while `lock` is held.
public final class SigV4SigningKeyCache: @unchecked Sendable {
    private struct Entry {
        var secret: String
        var dateStamp: String
        var region: String
        var service: String
        var key: HMACKey
    }

    private let lock = NSLock()
    private var entries: [Entry] = []
    /// A handful of (credential, day, region, service) combinations are live at once; a small
    /// list scanned linearly beats hashing four strings.
    private let capacity = 8

    public init() {}

    func key(secret: String, dateStamp: String, region: String, service: String) -> HMACKey {
        lock.lock()
        for entry in entries where entry.dateStamp == dateStamp && entry.service == service
            && entry.region == region && entry.secret == secret {
            lock.unlock()
            return entry.key
        }
        lock.unlock()
        let key = HMACKey(SigV4.signingKey(secret: secret, dateStamp: dateStamp, region: region, service: service))
        lock.lock()
        if entries.count >= capacity { entries.removeFirst() }
        entries.append(Entry(secret: secret, dateStamp: dateStamp, region: region, service: service, key: key))
        lock.unlock()
        return key
    }
}
