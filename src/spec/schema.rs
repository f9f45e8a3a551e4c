//! The JSON Schema (draft 2020-12) of the spec, for `spec --schema` and for
//! checking a document before it is read (every problem reported at once).

use super::SPEC_VERSION;

/// The JSON Schema (draft 2020-12) of a spec, written by hand from
/// [`Spec`](super::Spec) (what `spec --schema` prints). It states the structure —
/// required and allowed fields, types, enum values, simple bounds — and
/// [`Spec::parse`](super::Spec::parse) checks every document against it before reading it, so
/// that all structural problems are reported at once. Conditions between
/// fields (modes ≤ width, regression needs `power-law`, …) are
/// [`Spec::validate`](super::Spec::validate)'s.
pub fn schema() -> serde_json::Value {
    use serde_json::json;
    let count = |what: &str| json!({"type": "integer", "minimum": 1, "description": what});
    let positive = |what: &str| json!({"type": "number", "exclusiveMinimum": 0, "description": what});
    let activation = json!({"enum": ["tanh"], "description": "activation σ of the first layer"});
    let closed = |kind: &str, what: &str, props: serde_json::Value, required: &[&str]| {
        let mut p = props.as_object().cloned().unwrap_or_default();
        p.insert("kind".into(), json!({"const": kind}));
        let mut r = vec!["kind"];
        r.extend_from_slice(required);
        json!({"type": "object", "description": what, "properties": p, "required": r, "additionalProperties": false})
    };
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://github.com/transport-langevin/spec/1",
        "title": "transport-langevin problem spec, spec_version 1",
        "description": "One run of the scheme W_{k+1} = S_eta(W_k - eta grad L(W_k) + sqrt(2 eta/beta) eps_k); formulas in paper/oracle-maths.md.",
        "type": "object",
        "additionalProperties": false,
        "required": ["spec_version", "model", "spectrum", "data", "loss", "eta", "beta", "lambda", "steps", "chains", "seed", "init"],
        "properties": {
            "spec_version": {"type": "integer", "const": SPEC_VERSION, "description": "format version, 1"},
            "model": {
                "type": "object",
                "description": "f_W: the model whose empirical risk drives the chain",
                "oneOf": [
                    closed("regression", "f_W(x) = sum_k W[k] e_k(x) on the cosine basis of L2[0,1] (d = 1, q = 1); needs a power-law spectrum", json!({}), &[]),
                    closed("two-layer", "lifted network f_W(x) = (1/M) sum_m a_m tanh(theta_m . x), a_m = +1, -1, +1, ... (q = d); needs a gaussian-kernel spectrum",
                        json!({"width": count("width M: number of particles (initial weights)"), "activation": activation}), &["width", "activation"]),
                    closed("clipped", "clipped network: first layer R tanh(theta/R), second layer R tanh(theta_last/R) (q = d + 1); needs a gaussian-kernel spectrum",
                        json!({"width": count("width M"), "activation": activation, "clip_r": {"type": "number", "minimum": 1, "description": "clip radius R >= 1"}}),
                        &["width", "activation", "clip_r"]),
                    closed("discrete", "two-layer network, discrete topology: f_W(x) = sum_m a_m tanh(W(m) . x), a_m = +1/M, -1/M, ... (q = d); kernel on the neuron indices t_m = (m + 1/2)/M",
                        json!({"width": count("width M"), "activation": activation}), &["width", "activation"]),
                    closed("deep", "deep network f_W = u . h_L, h_l = sum_m (w_m/M) tanh(Wbar(m,l) . h_(l-1)), Wbar = R tanh(W/R), u = 1/sqrt(d) (q = d); product kernel over (w, layer)",
                        json!({"width": count("width M"), "layers": count("layers L"), "activation": activation,
                               "clip_r": {"type": "number", "minimum": 1, "description": "clip radius R >= 1"},
                               "layer_scale": {"type": "number", "minimum": 0, "description": "scale s of the layer coordinate in the kernel"}}),
                        &["width", "layers", "activation", "clip_r", "layer_scale"]),
                    closed("resnet", "ResNet: as deep with each block h_l = h_(l-1) + sum_m (w_m/M) tanh(Wbar(m,l) . h_(l-1))",
                        json!({"width": count("width M"), "layers": count("blocks T"), "activation": activation,
                               "clip_r": {"type": "number", "minimum": 1, "description": "clip radius R >= 1"},
                               "layer_scale": {"type": "number", "minimum": 0, "description": "scale s of the layer coordinate in the kernel"}}),
                        &["width", "layers", "activation", "clip_r", "layer_scale"]),
                    closed("ot-map", "optimal transport map f_W(x) = R tanh(W(x)/R) on the source sample (the data's x; y is ignored), rho0 = its empirical measure, kernel over the source points; loss (1/n) sum_i |x_i - f_W(x_i)|^2 + penalty MMD^2(f_W#P_n, Q_n), Gaussian MMD kernel of bandwidth mmd_bandwidth; target sample: n points target_mean + target_factor z, z standard normals (row-major) from stream 2^32 + 1 of seed (q = d)",
                        json!({"penalty": {"type": "number", "minimum": 0, "description": "penalty tau >= 0 on MMD^2"},
                               "mmd_bandwidth": positive("bandwidth sigma > 0 of the MMD kernel exp(-|a - b|^2 / (2 sigma^2))"),
                               "clip_r": {"type": "number", "minimum": 1, "description": "clip radius R >= 1 of the map"},
                               "target_mean": {"type": "array", "minItems": 1, "items": {"type": "number"}, "description": "mean m_Q of the target Gaussian (d numbers)"},
                               "target_factor": {"type": "array", "minItems": 1, "items": {"type": "array", "items": {"type": "number"}}, "description": "factor L (d rows of d numbers) of the target covariance L L^T"}}),
                        &["penalty", "mmd_bandwidth", "clip_r", "target_mean", "target_factor"]),
                ]
            },
            "spectrum": {
                "type": "object",
                "description": "eigenvalues mu_k (and, for networks, eigenfunctions e_k) of the regulariser",
                "oneOf": [
                    closed("power-law", "mu_k = c_mu (k+1)^(-decay), k = 0..modes-1",
                        json!({"c_mu": positive("c_mu > 0"), "decay": positive("decay p > 0"), "modes": count("number of modes N")}),
                        &["c_mu", "decay", "modes"]),
                    closed("gaussian-kernel", "eigenpairs of G/M, G_ml = exp(-|w_m - w_l|^2 / (2 h^2)) over the particles",
                        json!({"bandwidth": positive("bandwidth h > 0"), "modes": count("number of modes N <= width")}),
                        &["bandwidth", "modes"]),
                ]
            },
            "data": {
                "type": "object",
                "description": "training data (x_i, y_i), i < n",
                "oneOf": [
                    closed("toy", "generated from seed (stream 0)",
                        json!({"n": count("number of points n"), "dim": count("input dimension d (1 for regression)"), "seed": {"type": "integer", "minimum": 0, "description": "seed of the data generator (u64)"}}),
                        &["n", "dim", "seed"]),
                    closed("inline", "given points",
                        json!({"x": {"type": "array", "minItems": 1, "items": {"type": "array", "items": {"type": "number"}}, "description": "inputs, one list of d numbers per point"},
                               "y": {"type": "array", "items": {"type": "number"}, "description": "outputs, one per point (±1 for the logistic loss)"}}),
                        &["x", "y"]),
                ]
            },
            "loss": {"enum": ["squared", "logistic"], "description": "squared (y - f)^2 (no 1/2) or logistic log(1 + exp(-y f)), y in {-1, +1}"},
            "eta": positive("step size eta > 0"),
            "beta": positive("inverse temperature beta > 0"),
            "lambda": positive("regularisation lambda > 0"),
            "steps": count("steps T per chain"),
            "chains": count("independent chains (chain c uses stream c of seed)"),
            "seed": {"type": "integer", "minimum": 0, "description": "seed of the noise and of the particles (u64)"},
            "init": {"enum": ["identity", "zero"], "description": "W_0: identity (P_N of the identity map; finite width only) or zero"},
            "pcn_step": {"type": "number", "exclusiveMinimum": 0, "maximum": 1, "default": 0.2, "description": "pCN-MH proposal scale s in (0, 1] (run --pcn only)"},
        }
    })
}
