//! Problems shared by experiments, tests and benches: data generators,
//! teachers, particle sets, the lifted-network builder and named settings.
//! No experiment imports another; what two of them share lives here.

pub mod double_well;
pub mod network;
pub mod regression;
pub mod settings;
pub mod teacher;

pub use double_well::{DoubleWell, WellSetting, W0, WELL};
pub use network::{
    alternating_signs, bench_network, direct_network, finite_width_all_modes, gaussian_particles, toy_data, two_layer_problem,
    TwoLayerProblem, TwoLayerSetting, TWO_LAYER,
};
pub use regression::linear_gaussian;
pub use teacher::{GroupedRisk, Sufficient, Teacher, TeacherSpec, TEACHER};
