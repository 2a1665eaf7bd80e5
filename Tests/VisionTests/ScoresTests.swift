import Testing
@testable import Vision

@Suite struct ScoresTests {
    @Test func softmaxIsStableForHugeLogits() {
        let logits: [Float] = [1000, 1001, 999, -1e30]
        let probabilities = logits.withUnsafeBufferPointer { Scores.softmax($0) }
        #expect(probabilities.allSatisfy { $0.isFinite })
        #expect(abs(probabilities.reduce(0, +) - 1) < 1e-12)
        #expect(probabilities[1] > probabilities[0] && probabilities[0] > probabilities[2])
        #expect(probabilities[3] == 0)
    }

    @Test func topKIsSortedAndTiesKeepTheLowerIndex() {
        let top = Scores.top([0.1, 0.3, 0.3, 0.05, 0.25], k: 3)
        #expect(top.map(\.index) == [1, 2, 4])
        #expect(Scores.top([0.5, 0.5], k: 5).map(\.index) == [0, 1])
        #expect(Scores.top([], k: 5).isEmpty)
    }

    @Test func labelsOutOfRangeAreNamedByIndex() {
        let labels = Labels(names: ["cat"])
        #expect(labels[0] == "cat")
        #expect(labels[7] == "class 7")
    }
}

@Suite struct PreprocessorGeometryTests {
    @Test(arguments: [
        (500, 375, 341, 256), (375, 500, 256, 341), (256, 256, 256, 256), (1, 1, 256, 256), (10000, 1, 2_560_000, 256),
        (773, 512, 386, 256),
    ])
    func resizeFollowsTorchvision(width: Int, height: Int, resizedWidth: Int, resizedHeight: Int) {
        let size = Preprocessor().resizedSize(width: width, height: height)
        #expect(size.width == resizedWidth && size.height == resizedHeight)
    }

    @Test func centreCropRoundsHalfToEvenLikePython() {
        #expect(Preprocessor.cropOffset(size: 341, crop: 224) == 58)  // 58.5 -> 58
        #expect(Preprocessor.cropOffset(size: 343, crop: 224) == 60)  // 59.5 -> 60
        #expect(Preprocessor.cropOffset(size: 256, crop: 224) == 16)
    }

    @Test(arguments: [(1000, 256), (256, 256), (100, 256), (3, 256)])
    func coefficientsSumToOne(input: Int, output: Int) {
        let coefficients = ResampleCoefficients(inputSize: input, outputSize: output, keep: 0..<output)
        for slot in 0..<output {
            let sum = coefficients.weights[(slot * coefficients.taps)..<((slot + 1) * coefficients.taps)].reduce(0, +)
            #expect(abs(Int(sum) - (1 << 22)) <= coefficients.taps, "slot \(slot)")
        }
    }

    @Test func nhwcHoldsTheSameValuesAsNCHW() {
        let pixels = (0..<(40 * 30 * 3)).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let image = RGBImage(width: 40, height: 30, pixels: pixels)
        let configuration = PreprocessingConfiguration(resizeShorterSide: 32, cropSize: 16)
        let nchw = Preprocessor(configuration: configuration).tensor(for: image)
        var nhwcConfiguration = configuration
        nhwcConfiguration.layout = .nhwc
        let nhwc = Preprocessor(configuration: nhwcConfiguration).tensor(for: image)
        for channel in 0..<3 {
            for position in 0..<(16 * 16) {
                #expect(nchw[channel * 256 + position] == nhwc[position * 3 + channel])
            }
        }
    }

    @Test func invalidConfigurationsAreNamed() {
        #expect(PreprocessingConfiguration(resizeShorterSide: 200, cropSize: 224).problem != nil)
        #expect(PreprocessingConfiguration(std: [0.2, 0, 0.2]).problem != nil)
        #expect(PreprocessingConfiguration().problem == nil)
    }
}
