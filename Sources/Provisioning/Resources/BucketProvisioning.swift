import AWS

/// A private bucket: public access blocked, SSE-S3 by default, the wanted lifecycle, our tag.
struct BucketProvisioning: Sendable {
    let s3: S3Client
    let names: DeploymentNames

    func ensure(_ bucket: String, expiry: [S3ExpiryRule]) async throws -> [ResourceChange] {
        guard try await exists(bucket) else {
            try await s3.createBucket(bucket)
            // Tag first: a run interrupted after this point is still recognised as ours.
            try await s3.setTags(bucket: bucket, tags: names.tags)
            try await s3.blockPublicAccess(bucket: bucket)
            try await s3.enableDefaultEncryption(bucket: bucket)
            if !expiry.isEmpty { try await s3.setLifecycle(bucket: bucket, rules: expiry) }
            return [ResourceChange(.bucket, bucket, .created)]
        }
        let settings = try await s3.settings(bucket: bucket)
        guard names.isOurs(settings.tags) else { throw ProvisioningError.foreignResource(kind: "S3 bucket", name: bucket) }
        var fixed: [String] = []
        if !settings.blocksPublicAccess {
            try await s3.blockPublicAccess(bucket: bucket)
            fixed.append("public access blocked")
        }
        if settings.defaultEncryption != "AES256" {
            try await s3.enableDefaultEncryption(bucket: bucket)
            fixed.append("default encryption")
        }
        if settings.lifecycle != expiry {
            try await s3.setLifecycle(bucket: bucket, rules: expiry)
            fixed.append("lifecycle")
        }
        return [ResourceChange(.bucket, bucket, fixed.isEmpty ? .unchanged : .updated,
                               detail: fixed.isEmpty ? nil : fixed.joined(separator: ", "))]
    }

    func exists(_ bucket: String) async throws -> Bool {
        do {
            try await s3.headBucket(bucket)
            return true
        } catch S3Error.noSuchBucket {
            return false
        }
    }
}
