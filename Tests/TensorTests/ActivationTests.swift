import Foundation
import Testing
import Tensor

@Suite struct ActivationTests {
    let inputs: [Float] = [-12, -5, -3, -1, -0.5, -1e-3, 0, 1e-3, 0.5, 1, 2, 3, 5, 12]

    func tanhGELU(_ x: Double) -> Double { x * 0.5 * (1 + tanh((2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x))) }

    @Test func geluIsTheTanhApproximation() {
        let out = Tensor(shape: [inputs.count], scalars: inputs).activated(.gelu)
        expectClose(out, inputs.map { Float(tanhGELU(Double($0))) }, rtol: 2e-6, atol: 1e-7)
        // Known value, and far enough from the erf form (0.8413447) to tell them apart.
        #expect(abs(out.scalars[9] - 0.8411920) < 2e-6)
        #expect(abs(Double(out.scalars[9]) - 0.5 * (1 + erf(1 / 2.0.squareRoot()))) > 1e-4)
    }

    @Test func geluWorksOnTailsLongerThanOneVector() {
        let xs = (0..<37).map { Float($0) * 0.25 - 4.5 }
        expectClose(Tensor(shape: [37], scalars: xs).activated(.gelu), xs.map { Float(tanhGELU(Double($0))) },
                    rtol: 2e-6, atol: 1e-7)
    }

    @Test func sigmoidReluAndLeakyReluFollowTheirDefinitions() {
        let x = Tensor(shape: [inputs.count], scalars: inputs)
        expectClose(x.activated(.sigmoid), inputs.map { Float(1 / (1 + exp(-Double($0)))) }, rtol: 2e-6, atol: 1e-7)
        #expect(x.activated(.relu).scalars == inputs.map { max($0, 0) })
        #expect(x.activated(.leakyReLU(0.2)).scalars == inputs.map { $0 >= 0 ? $0 : 0.2 * $0 })
    }
}
