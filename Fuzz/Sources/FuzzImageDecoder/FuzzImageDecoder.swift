import Vision

/// Arbitrary bytes as an image (JPEG and PNG seeds; hostile mutations of them). Nothing may crash,
/// and decoding only the centre crop's region must agree with decoding the whole image: both
/// refuse the same bytes, and both give the same model input.
let FuzzImageDecoderEntry: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt = { data, size in
    guard let data else { return 0 }
    return fuzzImageDecoder(UnsafeRawBufferPointer(start: data, count: size))
}

/// Small limits keep each run fast and within libFuzzer's memory limit; the 16-pixel minimum
/// makes tiny seeds take the DCT-downscaling path too.
let fuzzDecoder = ImageDecoder(options: DecodingOptions(maxBytes: 1 << 20, maxPixels: 1 << 20, jpegMinimumShorterSide: 16))
let fuzzPreprocessor = Preprocessor(configuration: PreprocessingConfiguration(resizeShorterSide: 32, cropSize: 24))

func fuzzImageDecoder(_ bytes: UnsafeRawBufferPointer) -> CInt {
    let whole = Result { () throws(ImageError) -> RGBImage in try fuzzDecoder.decode(bytes) }
    let part = Result { () throws(ImageError) -> RGBImage in try fuzzDecoder.decode(bytes, needing: fuzzPreprocessor.sourceRegion) }
    _ = try? fuzzDecoder.decompressOnly(bytes)
    switch (whole, part) {
    case (.success(let whole), .success(let part)):
        precondition(part.width == whole.width && part.height == whole.height, "region decode changed the image size")
        precondition(fuzzPreprocessor.tensor(for: part) == fuzzPreprocessor.tensor(for: whole),
                     "region decode (\(part.region)) gives another tensor than the whole image")
    case (.failure, .failure):
        break
    case (.success, .failure(let error)):
        preconditionFailure("only the region decode refused: \(error)")
    case (.failure(let error), .success):
        preconditionFailure("only the whole decode refused: \(error)")
    }
    return 0
}
