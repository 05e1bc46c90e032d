console.log("mlp-demo: not yet");
