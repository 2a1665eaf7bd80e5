import Foundation

/// A bucket's protective settings, as provisioning sets them and reads them back.
public struct S3BucketSettings: Sendable, Equatable {
    /// All four public-access blocks on.
    public var blocksPublicAccess: Bool
    /// The default encryption algorithm (`AES256` for SSE-S3), nil when none is configured.
    public var defaultEncryption: String?
    /// Lifecycle expiry rules.
    public var lifecycle: [S3ExpiryRule]
    public var tags: [String: String]

    public init(blocksPublicAccess: Bool, defaultEncryption: String?, lifecycle: [S3ExpiryRule], tags: [String: String]) {
        self.blocksPublicAccess = blocksPublicAccess
        self.defaultEncryption = defaultEncryption
        self.lifecycle = lifecycle
        self.tags = tags
    }
}

/// A lifecycle rule that deletes objects under `prefix` `days` days after they were written.
public struct S3ExpiryRule: Sendable, Equatable {
    public var id: String
    public var prefix: String
    public var days: Int

    public init(id: String, prefix: String, days: Int) {
        self.id = id
        self.prefix = prefix
        self.days = days
    }
}

/// Bucket configuration sub-resources (`?publicAccessBlock`, `?encryption`, `?lifecycle`,
/// `?tagging`). Each PUT carries `Content-MD5`: S3 refuses lifecycle and tagging bodies without it.
extension S3RequestBuilder {
    static let namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

    public static func putPublicAccessBlock(bucket: String) throws -> AWSRequest {
        var writer = XMLWriter()
        writer.element("PublicAccessBlockConfiguration", namespace: namespace) { config in
            for name in ["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"] {
                config.element(name, text: "true")
            }
        }
        return try configurationPut(bucket: bucket, subresource: "publicAccessBlock", xml: writer.output)
    }

    /// SSE-S3 (`AES256`) as the default for every new object.
    public static func putBucketEncryption(bucket: String) throws -> AWSRequest {
        var writer = XMLWriter()
        writer.element("ServerSideEncryptionConfiguration", namespace: namespace) { config in
            config.element("Rule") { rule in
                rule.element("ApplyServerSideEncryptionByDefault") { $0.element("SSEAlgorithm", text: "AES256") }
            }
        }
        return try configurationPut(bucket: bucket, subresource: "encryption", xml: writer.output)
    }

    public static func putBucketLifecycle(bucket: String, rules: [S3ExpiryRule]) throws -> AWSRequest {
        guard !rules.isEmpty, rules.allSatisfy({ $0.days >= 1 }) else {
            throw S3Error.invalidRequest(reason: "a lifecycle configuration needs at least one rule, each expiring after >= 1 day")
        }
        var writer = XMLWriter()
        writer.element("LifecycleConfiguration", namespace: namespace) { config in
            for expiry in rules {
                config.element("Rule") { rule in
                    rule.element("ID", text: expiry.id)
                    rule.element("Filter") { $0.element("Prefix", text: expiry.prefix) }
                    rule.element("Status", text: "Enabled")
                    rule.element("Expiration") { $0.element("Days", text: String(expiry.days)) }
                }
            }
        }
        return try configurationPut(bucket: bucket, subresource: "lifecycle", xml: writer.output)
    }

    public static func putBucketTagging(bucket: String, tags: [String: String]) throws -> AWSRequest {
        var writer = XMLWriter()
        writer.element("Tagging", namespace: namespace) { tagging in
            tagging.element("TagSet") { set in
                for (key, value) in tags.sorted(by: { $0.key < $1.key }) {
                    set.element("Tag") { tag in
                        tag.element("Key", text: key)
                        tag.element("Value", text: value)
                    }
                }
            }
        }
        return try configurationPut(bucket: bucket, subresource: "tagging", xml: writer.output)
    }

    /// `GET` or `DELETE /bucket?<subresource>`.
    public static func bucketSubresource(_ method: String, bucket: String, subresource: String) throws -> AWSRequest {
        try validate(bucket: bucket)
        return AWSRequest(method: method, path: "/\(bucket)", query: [(subresource, "")])
    }

    static func configurationPut(bucket: String, subresource: String, xml: String) throws -> AWSRequest {
        var request = try bucketSubresource("PUT", bucket: bucket, subresource: subresource)
        let body = Array(xml.utf8)
        request.headers["Content-Type"] = "application/xml"
        request.headers["Content-MD5"] = Data(MD5.digest(body)).base64EncodedString()
        request.body = .bytes(body)
        return request
    }
}

extension S3ResponseParser {
    static func xmlRoot(_ body: Data, operation: String) throws -> XMLNode {
        do {
            return try XMLTreeReader.parse(body)
        } catch {
            throw S3Error.malformedResponse(operation: operation, reason: String(describing: error))
        }
    }

    public static func publicAccessBlock(_ body: Data) throws -> Bool {
        let root = try xmlRoot(body, operation: "GetPublicAccessBlock")
        return ["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"].allSatisfy {
            root.text(of: $0)?.trimmingCharacters(in: .whitespaces).lowercased() == "true"
        }
    }

    public static func defaultEncryption(_ body: Data) throws -> String? {
        let root = try xmlRoot(body, operation: "GetBucketEncryption")
        return root.path("Rule", "ApplyServerSideEncryptionByDefault", "SSEAlgorithm")?.text
    }

    public static func lifecycle(_ body: Data) throws -> [S3ExpiryRule] {
        let root = try xmlRoot(body, operation: "GetBucketLifecycleConfiguration")
        return root.children(named: "Rule").compactMap { rule in
            guard let days = rule.path("Expiration", "Days").flatMap({ Int($0.text) }) else { return nil }
            let prefix = rule.path("Filter", "Prefix")?.text ?? rule.text(of: "Prefix") ?? ""
            return S3ExpiryRule(id: rule.text(of: "ID") ?? "", prefix: prefix, days: days)
        }
    }

    public static func tagging(_ body: Data) throws -> [String: String] {
        let root = try xmlRoot(body, operation: "GetBucketTagging")
        var tags: [String: String] = [:]
        for tag in root.child("TagSet")?.children(named: "Tag") ?? [] {
            if let key = tag.text(of: "Key") { tags[key] = tag.text(of: "Value") ?? "" }
        }
        return tags
    }
}

extension S3Client {
    public func blockPublicAccess(bucket: String) async throws {
        _ = try await perform(try S3RequestBuilder.putPublicAccessBlock(bucket: bucket), bucket: bucket, key: nil)
    }

    public func enableDefaultEncryption(bucket: String) async throws {
        _ = try await perform(try S3RequestBuilder.putBucketEncryption(bucket: bucket), bucket: bucket, key: nil)
    }

    /// Replaces the lifecycle configuration; an empty list deletes it.
    public func setLifecycle(bucket: String, rules: [S3ExpiryRule]) async throws {
        let request = rules.isEmpty
            ? try S3RequestBuilder.bucketSubresource("DELETE", bucket: bucket, subresource: "lifecycle")
            : try S3RequestBuilder.putBucketLifecycle(bucket: bucket, rules: rules)
        _ = try await perform(request, bucket: bucket, key: nil)
    }

    public func setTags(bucket: String, tags: [String: String]) async throws {
        _ = try await perform(try S3RequestBuilder.putBucketTagging(bucket: bucket, tags: tags), bucket: bucket, key: nil)
    }

    /// The bucket's tags; empty when it has none (S3 answers `NoSuchTagSet`).
    public func tags(bucket: String) async throws -> [String: String] {
        do {
            return try S3ResponseParser.tagging(try await subresource(bucket, "tagging"))
        } catch S3Error.other(code: "NoSuchTagSet", _, _, _) {
            return [:]
        }
    }

    /// The public-access block, default encryption, lifecycle and tags, each read back from S3
    /// (an unset configuration reads as off/empty).
    public func settings(bucket: String) async throws -> S3BucketSettings {
        let blocks: Bool
        do {
            blocks = try S3ResponseParser.publicAccessBlock(try await subresource(bucket, "publicAccessBlock"))
        } catch S3Error.other(code: "NoSuchPublicAccessBlockConfiguration", _, _, _) {
            blocks = false
        }
        let encryption: String?
        do {
            encryption = try S3ResponseParser.defaultEncryption(try await subresource(bucket, "encryption"))
        } catch S3Error.other(code: "ServerSideEncryptionConfigurationNotFoundError", _, _, _) {
            encryption = nil
        }
        let lifecycle: [S3ExpiryRule]
        do {
            lifecycle = try S3ResponseParser.lifecycle(try await subresource(bucket, "lifecycle"))
        } catch S3Error.other(code: "NoSuchLifecycleConfiguration", _, _, _) {
            lifecycle = []
        }
        return S3BucketSettings(blocksPublicAccess: blocks, defaultEncryption: encryption, lifecycle: lifecycle,
                                tags: try await tags(bucket: bucket))
    }

    private func subresource(_ bucket: String, _ name: String) async throws -> Data {
        try await perform(try S3RequestBuilder.bucketSubresource("GET", bucket: bucket, subresource: name),
                          bucket: bucket, key: nil).body
    }
}
