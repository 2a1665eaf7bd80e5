import Foundation

/// Real photos for tests: setup's scikit-image photos (`testdata/photos`) and `../shared/photos`
/// when present, in name order.
public enum TestPhotos {
    public static func all() throws -> [(name: String, bytes: Data)] {
        var directories = [TestPaths.testdata.appendingPathComponent("photos")]
        if let shared = TestPaths.shared { directories.append(shared.appendingPathComponent("photos")) }
        var photos: [(String, Data)] = []
        for directory in directories {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            for name in names.sorted() where [".jpg", ".jpeg", ".png"].contains(where: name.lowercased().hasSuffix) {
                photos.append((name, try Data(contentsOf: directory.appendingPathComponent(name))))
            }
        }
        return photos
    }
}
