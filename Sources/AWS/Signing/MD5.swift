import CCrypto

/// MD5, for the integrity headers some AWS APIs demand (S3's `Content-MD5` on bucket
/// configuration PUTs). Not a security primitive.
public enum MD5 {
    public static func digest(_ bytes: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let succeeded = bytes.withUnsafeBytes { raw in
            EVP_Digest(raw.baseAddress, raw.count, &digest, &length, EVP_md5(), nil)
        }
        precondition(succeeded == 1, "libcrypto could not compute MD5")
        return Array(digest.prefix(Int(length)))
    }
}
