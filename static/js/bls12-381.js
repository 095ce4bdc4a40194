/* BLS12-381 signature check of a drand quicknet round, in the visitor's browser (docs/fairdraw-spec.md §5.4
   check 4; the same check as shuangsuiji/fairdraw/drand.py verify_signature through py_ecc).

   Why a hand port: the portal is offline (no CDN, no runtime download) and runs under a strict
   Content-Security-Policy (no eval, no WebAssembly); no maintained pure-JavaScript BLS12-381 library is
   vendorable here, so exactly what the check needs is ported from py_ecc 8.0.0 (MIT licence,
   https://github.com/ethereum/py_ecc): the field Fp and its tower Fp2 / Fp6 / Fp12, G1 point decompression
   (py_ecc.bls.point_compression.decompress_G1) and the prime-order subgroup check, G2 point decompression
   (decompress_G2 with modular_squareroot_in_FQ2), hash-to-curve for G1 (RFC 9380 expand_message_xmd with
   SHA-256, py_ecc.optimized_bls12_381.optimized_swu.optimized_swu_G1 + iso_map_G1 — the 11-isogeny — and
   cofactor clearing by h_eff), and the optimal-ate Miller loop with the final exponentiation.  The constants
   (isogeny coefficients, G2 generator, eighth roots of unity) were generated from py_ecc 8.0.0 itself.

   Differences from py_ecc's layout, not its mathematics: Fp12 is the tower Fp6[w]/(w^2 - v),
   Fp6 = Fp2[v]/(v^3 - (1 + u)), Fp2 = Fp[u]/(u^2 + 1) (py_ecc uses one degree-12 polynomial); G1 and G2
   arithmetic is affine; the Miller loop evaluates the twisted lines multiplied by w^3 and drops vertical
   lines and the final conjugation for the negative curve parameter — all factors the final exponentiation
   sends to 1 or, for a product compared with 1, irrelevant.  The final exponentiation is f^(p^6-1) by
   conjugation and inversion, then a plain square-and-multiply by (p^6+1)/r.

   FairdrawBLS.verifyQuicknet(round, signatureHex, publicKeyHex) resolves to true or false, like
   drand.verify_signature: false for a signature that is not a curve point, is the point at infinity, is not
   in the prime-order subgroup, or fails e(sig, g2) = e(H(msg), pk).  Uses WebCrypto SHA-256 and BigInt. */
(function (root) {
  "use strict";

  var P = 0x1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaabn;
  var R = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n;
  var X_ABS = 0xd201000000010000n;  // |x|, the BLS parameter x is negative
  var DST = "BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_";
  var ISO_11_A = 0x144698a3b8e9433d693a02c96d4982b0ea985383ee66a8d8e8981aefd881ac98936f8da0e0f97f5cf428082d584c1dn, ISO_11_B = 0x12e2908d11688030018b12e8753eee3b2016c1f0f24f4070a0b9c14fcef35ef55a23215a316ceaa5d1cc48e98e172be0n, ISO_11_Z = 0xbn;
  var SQRT_MINUS_11_CUBED = 0x3d689d1e0e762cef9f2bec6130316806b4c80eda6fc10ce77ae83eab1ea8b8b8a407c9c6db195e06f2dbeabc2baeff5n;
  var ISO_11_MAP_COEFFICIENTS = [
    [0x11a05f2b1e833340b809101dd99815856b303e88a2d7005ff2627b56cdb4e2c85610c2d5f2e62d6eaeac1662734649b7n, 0x17294ed3e943ab2f0588bab22147a81c7c17e75b2f6a8417f565e33c70d1e86b4838f2a6f318c356e834eef1b3cb83bbn, 0xd54005db97678ec1d1048c5d10a9a1bce032473295983e56878e501ec68e25c958c3e3d2a09729fe0179f9dac9edcb0n, 0x1778e7166fcc6db74e0609d307e55412d7f5e4656a8dbf25f1b33289f1b330835336e25ce3107193c5b388641d9b6861n, 0xe99726a3199f4436642b4b3e4118e5499db995a1257fb3f086eeb65982fac18985a286f301e77c451154ce9ac8895d9n, 0x1630c3250d7313ff01d1201bf7a74ab5db3cb17dd952799b9ed3ab9097e68f90a0870d2dcae73d19cd13c1c66f652983n, 0xd6ed6553fe44d296a3726c38ae652bfb11586264f0f8ce19008e218f9c86b2a8da25128c1052ecaddd7f225a139ed84n, 0x17b81e7701abdbe2e8743884d1117e53356de5ab275b4db1a682c62ef0f2753339b7c8f8c8f475af9ccb5618e3f0c88en, 0x80d3cf1f9a78fc47b90b33563be990dc43b756ce79f5574a2c596c928c5d1de4fa295f296b74e956d71986a8497e317n, 0x169b1f8e1bcfa7c42e0c37515d138f22dd2ecb803a0c5c99676314baf4bb1b7fa3190b2edc0327797f241067be390c9en, 0x10321da079ce07e272d8ec09d2565b0dfa7dccdde6787f96d50af36003b14866f69b771f8c285decca67df3f1605fb7bn, 0x6e08c248e260e70bd1e962381edee3d31d79d7e22c837bc23c0bf1bc24c6b68c24b1b80b64d391fa9c8ba2e8ba2d229n],
    [0x8ca8d548cff19ae18b2e62f4bd3fa6f01d5ef4ba35b48ba9c9588617fc8ac62b558d681be343df8993cf9fa40d21b1cn, 0x12561a5deb559c4348b4711298e536367041e8ca0cf0800c0126c2588c48bf5713daa8846cb026e9e5c8276ec82b3bffn, 0xb2962fe57a3225e8137e629bff2991f6f89416f5a718cd1fca64e00b11aceacd6a3d0967c94fedcfcc239ba5cb83e19n, 0x3425581a58ae2fec83aafef7c40eb545b08243f16b1655154cca8abc28d6fd04976d5243eecf5c4130de8938dc62cd8n, 0x13a8e162022914a80a6f1d5f43e7a07dffdfc759a12062bb8d6b44e833b306da9bd29ba81f35781d539d395b3532a21en, 0xe7355f8e4e667b955390f7f0506c6e9395735e9ce9cad4d0a43bcef24b8982f7400d24bc4228f11c02df9a29f6304a5n, 0x772caacf16936190f3e0c63e0596721570f5799af53a1894e2e073062aede9cea73b3538f0de06cec2574496ee84a3an, 0x14a7ac2a9d64a8b230b3f5b074cf01996e7f63c21bca68a81996e1cdf9822c580fa5b9489d11e2d311f7d99bbdcc5a5en, 0xa10ecf6ada54f825e920b3dafc7a3cce07f8d1d7161366b74100da67f39883503826692abba43704776ec3a79a1d641n, 0x95fc13ab9e92ad4476d6e3eb3a56680f682b4ee96f7d03776df533978f31c1593174e4b4b7865002d6384d168ecdd0an, 0x1n],
    [0x90d97c81ba24ee0259d1f094980dcfa11ad138e48a869522b52af6c956543d3cd0c7aee9b3ba3c2be9845719707bb33n, 0x134996a104ee5811d51036d776fb46831223e96c254f383d0f906343eb67ad34d6c56711962fa8bfe097e75a2e41c696n, 0xcc786baa966e66f4a384c86a3b49942552e2d658a31ce2c344be4b91400da7d26d521628b00523b8dfe240c72de1f6n, 0x1f86376e8981c217898751ad8746757d42aa7b90eeb791c09e4a3ec03251cf9de405aba9ec61deca6355c77b0e5f4cbn, 0x8cc03fdefe0ff135caf4fe2a21529c4195536fbe3ce50b879833fd221351adc2ee7f8dc099040a841b6daecf2e8fedbn, 0x16603fca40634b6a2211e11db8f0a6a074a7d0d4afadb7bd76505c3d3ad5544e203f6326c95a807299b23ab13633a5f0n, 0x4ab0b9bcfac1bbcb2c977d027796b3ce75bb8ca2be184cb5231413c4d634f3747a87ac2460f415ec961f8855fe9d6f2n, 0x987c8d5333ab86fde9926bd2ca6c674170a05bfe3bdd81ffd038da6c26c842642f64550fedfe935a15e4ca31870fb29n, 0x9fc4018bd96684be88c9e221e4da1bb8f3abd16679dc26c1e8b6e6a1f20cabe69d65201c78607a360370e577bdba587n, 0xe1bba7a1186bdb5223abde7ada14a23c42a0ca7915af6fe06985e7ed1e4d43b9b3f7055dd4eba6f2bafaaebca731c30n, 0x19713e47937cd1be0dfd0b8f1d43fb93cd2fcbcb6caf493fd1183e416389e61031bf3a5cce3fbafce813711ad011c132n, 0x18b46a908f36f6deb918c143fed2edcc523559b8aaf0c2462e6bfe7f911f643249d9cdf41b44d606ce07c8a4d0074d8en, 0xb182cac101b9399d155096004f53f447aa7b12a3426b08ec02710e807b4633f06c851c1919211f20d4c04f00b971ef8n, 0x245a394ad1eca9b72fc00ae7be315dc757b3b080d4c158013e6632d3c40659cc6cf90ad1c232a6442d9d3f5db980133n, 0x5c129645e44cf1102a159f748c4a3fc5e673d81d7e86568d9ab0f5d396a7ce46ba1049b6579afb7866b1e715475224bn, 0x15e6be4e990f03ce4ea50b3b42df2eb5cb181d8f84965a3957add4fa95af01b2b665027efec01c7704b456be69c8b604n],
    [0x16112c4c3a9c98b252181140fad0eae9601a6de578980be6eec3232b5be72e7a07f3688ef60c206d01479253b03663c1n, 0x1962d75c2381201e1a0cbd6c43c348b885c84ff731c4d59ca4a10356f453e01f78a4260763529e3532f6102c2e49a03dn, 0x58df3306640da276faaae7d6e8eb15778c4855551ae7f310c35a5dd279cd2eca6757cd636f96f891e2538b53dbf67f2n, 0x16b7d288798e5395f20d23bf89edb4d1d115c5dbddbcd30e123da489e726af41727364f2c28297ada8d26d98445f5416n, 0xbe0e079545f43e4b00cc912f8228ddcc6d19c9f0f69bbb0542eda0fc9dec916a20b15dc0fd2ededda39142311a5001dn, 0x8d9e5297186db2d9fb266eaac783182b70152c65550d881c5ecd87b6f0f5a6449f38db9dfa9cce202c6477faaf9b7acn, 0x166007c08a99db2fc3ba8734ace9824b5eecfdfa8d0cf8ef5dd365bc400a0051d5fa9c01a58b1fb93d1a1399126a775cn, 0x16a3ef08be3ea7ea03bcddfabba6ff6ee5a4375efa1f4fd7feb34fd206357132b920f5b00801dee460ee415a15812ed9n, 0x1866c8ed336c61231a1be54fd1d74cc4f9fb0ce4c6af5920abc5750c4bf39b4852cfe2f7bb9248836b233d9d55535d4an, 0x167a55cda70a6e1cea820597d94a84903216f763e13d87bb5308592e7ea7d4fbc7385ea3d529b35e346ef48bb8913f55n, 0x4d2f259eea405bd48f010a01ad2911d9c6dd039bb61a6290e591b36e636a5c871a5c29f4f83060400f8b49cba8f6aa8n, 0xaccbb67481d033ff5852c1e48c50c477f94ff8aefce42d28c0f9a88cea7913516f968986f7ebbea9684b529e2561092n, 0xad6b9514c767fe3c3613144b45f1496543346d98adf02267d5ceef9a00d9b8693000763e3b90ac11e99b138573345ccn, 0x2660400eb2e4f3b628bdd0d53cd76f2bf565b94e72927c1cb748df27942480e420517bd8714cc80d1fadc1326ed06f7n, 0xe0fa1d816ddc03e6b24255e0d7819c171c40f65e273b853324efcd6356caa205ca2f570f13497804415473a1d634b8fn, 0x1n],
  ];
  var G2_GEN = [[0x24aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8n, 0x13e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7en], [0xce5d527727d6e118cc9cdc6da2e351aadfd9baa8cbdd3a76d429a695160d12c923ac9cc3baca289e193548608b82801n, 0x606c4a02ea734cc32acd2b02bc28b99cb3e287e85a763af267492ab572e99ab3f370d275cec1da1aaa9075ff05f79ben]];
  var EIGHTH_ROOTS_OF_UNITY = [[0x1n, 0x0n], [0x6af0e0437ff400b6831e36d6bd17ffe48395dabc2d3435e77f76e17009241c5ee67992f72ec05f4c81084fbede3cc09n, 0x135203e60180a68ee2e9c448d77a2cd91c3dedd930b1cf60ef396489f61eb45e304466cf3e67fa0af1ee7b04121bdea2n], [0x0n, 0x1n], [0x6af0e0437ff400b6831e36d6bd17ffe48395dabc2d3435e77f76e17009241c5ee67992f72ec05f4c81084fbede3cc09n, 0x6af0e0437ff400b6831e36d6bd17ffe48395dabc2d3435e77f76e17009241c5ee67992f72ec05f4c81084fbede3cc09n], [0x1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaaan, 0x0n], [0x135203e60180a68ee2e9c448d77a2cd91c3dedd930b1cf60ef396489f61eb45e304466cf3e67fa0af1ee7b04121bdea2n, 0x6af0e0437ff400b6831e36d6bd17ffe48395dabc2d3435e77f76e17009241c5ee67992f72ec05f4c81084fbede3cc09n], [0x0n, 0x1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaaan], [0x135203e60180a68ee2e9c448d77a2cd91c3dedd930b1cf60ef396489f61eb45e304466cf3e67fa0af1ee7b04121bdea2n, 0x135203e60180a68ee2e9c448d77a2cd91c3dedd930b1cf60ef396489f61eb45e304466cf3e67fa0af1ee7b04121bdea2n]];
  var H_EFF_G1 = 0xd201000000010001n;

  // ---------------------------------------------------------------- Fp
  function md(a) { a %= P; return a < 0n ? a + P : a; }
  function fadd(a, b) { var s = a + b; return s >= P ? s - P : s; }
  function fsub(a, b) { var d = a - b; return d < 0n ? d + P : d; }
  function fneg(a) { return a === 0n ? 0n : P - a; }
  function fmul(a, b) { return (a * b) % P; }
  function fpow(a, e) {
    var r = 1n; a = md(a);
    while (e > 0n) { if (e & 1n) r = (r * a) % P; a = (a * a) % P; e >>= 1n; }
    return r;
  }
  function finv(a) {  // extended Euclid; a != 0
    var t = 0n, nt = 1n, r = P, nr = md(a), q, tmp;
    while (nr !== 0n) {
      q = r / nr;
      tmp = t - q * nt; t = nt; nt = tmp;
      tmp = r - q * nr; r = nr; nr = tmp;
    }
    return t < 0n ? t + P : t;
  }
  var P_MINUS_3_DIV_4 = (P - 3n) / 4n;
  var P_PLUS_1_DIV_4 = (P + 1n) / 4n;

  // ---------------------------------------------------------------- Fp2 = Fp[u]/(u^2 + 1), as [re, im]
  var F2_ZERO = [0n, 0n], F2_ONE = [1n, 0n];
  function f2add(a, b) { return [fadd(a[0], b[0]), fadd(a[1], b[1])]; }
  function f2sub(a, b) { return [fsub(a[0], b[0]), fsub(a[1], b[1])]; }
  function f2neg(a) { return [fneg(a[0]), fneg(a[1])]; }
  function f2mul(a, b) {
    var t0 = a[0] * b[0], t1 = a[1] * b[1];
    return [md(t0 - t1), md((a[0] + a[1]) * (b[0] + b[1]) - t0 - t1)];
  }
  function f2sqr(a) { return [md((a[0] + a[1]) * (a[0] - a[1])), (2n * a[0] * a[1]) % P]; }
  function f2muls(a, s) { return [(a[0] * s) % P, (a[1] * s) % P]; }  // by an Fp scalar
  function f2mulXi(a) { return [fsub(a[0], a[1]), fadd(a[0], a[1])]; }  // by xi = 1 + u
  function f2inv(a) { var t = finv((a[0] * a[0] + a[1] * a[1]) % P); return [(a[0] * t) % P, (fneg(a[1]) * t) % P]; }
  function f2eq(a, b) { return a[0] === b[0] && a[1] === b[1]; }
  function f2isZero(a) { return a[0] === 0n && a[1] === 0n; }
  function f2pow(a, e) {
    var r = F2_ONE;
    while (e > 0n) { if (e & 1n) r = f2mul(r, a); a = f2sqr(a); e >>= 1n; }
    return r;
  }

  // ---------------------------------------------------------------- Fp6 = Fp2[v]/(v^3 - xi), as [c0, c1, c2]
  var F6_ZERO = [F2_ZERO, F2_ZERO, F2_ZERO], F6_ONE = [F2_ONE, F2_ZERO, F2_ZERO];
  function f6add(a, b) { return [f2add(a[0], b[0]), f2add(a[1], b[1]), f2add(a[2], b[2])]; }
  function f6sub(a, b) { return [f2sub(a[0], b[0]), f2sub(a[1], b[1]), f2sub(a[2], b[2])]; }
  function f6neg(a) { return [f2neg(a[0]), f2neg(a[1]), f2neg(a[2])]; }
  function f6mul(a, b) {
    var t0 = f2mul(a[0], b[0]), t1 = f2mul(a[1], b[1]), t2 = f2mul(a[2], b[2]);
    var c0 = f2add(t0, f2mulXi(f2sub(f2sub(f2mul(f2add(a[1], a[2]), f2add(b[1], b[2])), t1), t2)));
    var c1 = f2add(f2sub(f2sub(f2mul(f2add(a[0], a[1]), f2add(b[0], b[1])), t0), t1), f2mulXi(t2));
    var c2 = f2add(f2sub(f2sub(f2mul(f2add(a[0], a[2]), f2add(b[0], b[2])), t0), t2), t1);
    return [c0, c1, c2];
  }
  function f6mulV(a) { return [f2mulXi(a[2]), a[0], a[1]]; }  // by v
  function f6inv(a) {
    var c0 = f2sub(f2sqr(a[0]), f2mulXi(f2mul(a[1], a[2])));
    var c1 = f2sub(f2mulXi(f2sqr(a[2])), f2mul(a[0], a[1]));
    var c2 = f2sub(f2sqr(a[1]), f2mul(a[0], a[2]));
    var t = f2add(f2mul(a[0], c0), f2mulXi(f2add(f2mul(a[2], c1), f2mul(a[1], c2))));
    var ti = f2inv(t);
    return [f2mul(c0, ti), f2mul(c1, ti), f2mul(c2, ti)];
  }

  // ---------------------------------------------------------------- Fp12 = Fp6[w]/(w^2 - v), as [c0, c1]
  var F12_ONE = [F6_ONE, F6_ZERO];
  function f12mul(a, b) {
    var t0 = f6mul(a[0], b[0]), t1 = f6mul(a[1], b[1]);
    return [f6add(t0, f6mulV(t1)), f6sub(f6sub(f6mul(f6add(a[0], a[1]), f6add(b[0], b[1])), t0), t1)];
  }
  function f12sqr(a) {
    var t = f6mul(a[0], a[1]);
    var c0 = f6sub(f6sub(f6mul(f6add(a[0], a[1]), f6add(a[0], f6mulV(a[1]))), t), f6mulV(t));
    return [c0, f6add(t, t)];
  }
  function f12conj(a) { return [a[0], f6neg(a[1])]; }  // the p^6-th power
  function f12inv(a) {
    var t = f6inv(f6sub(f6mul(a[0], a[0]), f6mulV(f6mul(a[1], a[1]))));
    return [f6mul(a[0], t), f6neg(f6mul(a[1], t))];
  }
  function f12isOne(a) {
    for (var i = 0; i < 2; i++) for (var j = 0; j < 3; j++) {
      if (!f2eq(a[i][j], i === 0 && j === 0 ? F2_ONE : F2_ZERO)) return false;
    }
    return true;
  }

  // ---------------------------------------------------------------- G1: y^2 = x^3 + 4 over Fp, affine; null = infinity
  function g1onCurve(pt) { return fmul(pt[1], pt[1]) === fadd(fmul(fmul(pt[0], pt[0]), pt[0]), 4n); }
  function g1add(a, b) {
    if (a === null) return b;
    if (b === null) return a;
    var lam;
    if (a[0] === b[0]) {
      if (a[1] !== b[1] || a[1] === 0n) return null;
      lam = fmul(fmul(3n, fmul(a[0], a[0])), finv(fadd(a[1], a[1])));
    } else {
      lam = fmul(fsub(b[1], a[1]), finv(fsub(b[0], a[0])));
    }
    var x = fsub(fsub(fmul(lam, lam), a[0]), b[0]);
    return [x, fsub(fmul(lam, fsub(a[0], x)), a[1])];
  }
  function g1mul(pt, n) {
    var r = null, bits = n.toString(2);
    for (var i = 0; i < bits.length; i++) {
      r = g1add(r, r);
      if (bits[i] === "1") r = g1add(r, pt);
    }
    return r;
  }
  function g1fromProjective(x, y, z) {  // homogeneous (x/z, y/z), as py_ecc's optimized points
    if (z === 0n) return null;
    var zi = finv(z);
    return [fmul(x, zi), fmul(y, zi)];
  }

  // decompress_G1: the point of a 48-byte compressed encoding, or throws (py_ecc raises ValueError).
  function decompressG1(bytes) {
    if (bytes.length !== 48) throw new Error("G1 encoding is 48 bytes");
    var z = bytesToBig(bytes);
    var cFlag = (z >> 383n) & 1n, bFlag = (z >> 382n) & 1n, aFlag = (z >> 381n) & 1n;
    if (cFlag !== 1n) throw new Error("c_flag should be 1");
    var isInf = (z % (1n << 382n)) === 0n ? 1n : 0n;  // py_ecc is_point_at_infinity: z % POW_2_382 == 0
    if (bFlag !== isInf) throw new Error("b_flag should be " + isInf);
    if (isInf) {
      if (aFlag) throw new Error("a point at infinity should have a_flag == 0");
      return null;
    }
    var x = z % (1n << 381n);
    if (x >= P) throw new Error("x not less than the field modulus");
    var rhs = fadd(fmul(fmul(x, x), x), 4n);
    var y = fpow(rhs, P_PLUS_1_DIV_4);
    if (fmul(y, y) !== rhs) throw new Error("not on G1");
    if ((y * 2n) / P !== aFlag) y = P - y;
    return [x, y];
  }
  function subgroupCheckG1(pt) { return g1mul(pt, R) === null; }

  // ---------------------------------------------------------------- G2 (the twist y^2 = x^3 + 4(1 + u) over Fp2), affine
  var B2 = [4n, 4n];
  function g2onCurve(pt) { return f2eq(f2sqr(pt[1]), f2add(f2mul(f2sqr(pt[0]), pt[0]), B2)); }
  function decompressG2(bytes) {
    if (bytes.length !== 96) throw new Error("G2 encoding is 96 bytes");
    var z1 = bytesToBig(bytes.subarray(0, 48)), z2 = bytesToBig(bytes.subarray(48));
    var cFlag = (z1 >> 383n) & 1n, bFlag = (z1 >> 382n) & 1n, aFlag = (z1 >> 381n) & 1n;
    if (cFlag !== 1n) throw new Error("c_flag should be 1");
    var isInf = ((z1 % (1n << 382n)) === 0n && z2 === 0n) ? 1n : 0n;
    if (bFlag !== isInf) throw new Error("b_flag should be " + isInf);
    if (isInf) {
      if (aFlag) throw new Error("a point at infinity should have a_flag == 0");
      return null;
    }
    var x1 = z1 % (1n << 381n);
    if (x1 >= P) throw new Error("x1 not less than the field modulus");
    if (z2 >= P) throw new Error("z2 not less than the field modulus");
    var x = [z2, x1];  // x1 is the imaginary part, z2 the real part
    var rhs = f2add(f2mul(f2sqr(x), x), B2);
    // modular_squareroot_in_FQ2: candidate rhs^((p^2 + 7) / 16) times an eighth root of unity
    var cand = f2pow(rhs, (P * P + 7n) / 16n), y = null;
    for (var k = 0; k < 8 && y === null; k++) {
      var t = f2mul(cand, EIGHTH_ROOTS_OF_UNITY[k]);
      if (f2eq(f2sqr(t), rhs)) y = t;
    }
    if (y === null) throw new Error("Failed to find a modular squareroot");
    if ((y[1] > 0n && (y[1] * 2n) / P !== aFlag) || (y[1] === 0n && (y[0] * 2n) / P !== aFlag)) y = f2neg(y);
    if (!g2onCurve([x, y])) throw new Error("not on the twisted curve");
    return [x, y];
  }

  // ---------------------------------------------------------------- hash to G1 (RFC 9380, py_ecc hash_to_G1)
  function bytesToBig(b) { var n = 0n; for (var i = 0; i < b.length; i++) n = (n << 8n) | BigInt(b[i]); return n; }
  function cat(parts) {
    var n = 0, i, o = 0;
    for (i = 0; i < parts.length; i++) n += parts[i].length;
    var out = new Uint8Array(n);
    for (i = 0; i < parts.length; i++) { out.set(parts[i], o); o += parts[i].length; }
    return out;
  }
  function sha256(bytes) { return root.crypto.subtle.digest("SHA-256", bytes).then(function (d) { return new Uint8Array(d); }); }

  async function expandMessageXmd(msg, dst, lenInBytes) {
    var dstPrime = cat([dst, new Uint8Array([dst.length])]);
    var ell = Math.ceil(lenInBytes / 32);
    var b0 = await sha256(cat([new Uint8Array(64), msg, new Uint8Array([lenInBytes >> 8, lenInBytes & 255, 0]), dstPrime]));
    var b = [await sha256(cat([b0, new Uint8Array([1]), dstPrime]))];
    for (var i = 2; i <= ell; i++) {
      var x = new Uint8Array(32);
      for (var j = 0; j < 32; j++) x[j] = b0[j] ^ b[i - 2][j];
      b.push(await sha256(cat([x, new Uint8Array([i]), dstPrime])));
    }
    return cat(b).subarray(0, lenInBytes);
  }
  async function hashToFieldFp(msg, count, dst) {
    var bytes = await expandMessageXmd(msg, dst, count * 64), u = [];
    for (var i = 0; i < count; i++) u.push(bytesToBig(bytes.subarray(64 * i, 64 * (i + 1))) % P);
    return u;
  }
  function sgn0(a) { return a & 1n; }
  function optimizedSwuG1(t) {  // returns homogeneous (x, y, z) on the 11-isogenous curve
    var t2 = fmul(t, t);
    var zt2 = fmul(ISO_11_Z, t2);
    var temp = fadd(zt2, fmul(zt2, zt2));
    var den = fneg(fmul(ISO_11_A, temp));
    temp = fadd(temp, 1n);
    var num = fmul(ISO_11_B, temp);
    if (den === 0n) den = fmul(ISO_11_Z, ISO_11_A);
    var v = fmul(fmul(den, den), den);
    var u = fadd(fadd(fmul(fmul(num, num), num), fmul(fmul(ISO_11_A, num), fmul(den, den))), fmul(ISO_11_B, v));
    // sqrt_division_FQ
    var tmp = fmul(u, v);
    var y = fmul(tmp, fpow(fmul(tmp, fmul(v, v)), P_MINUS_3_DIV_4));
    var isRoot = fsub(fmul(fmul(y, y), v), u) === 0n;
    if (!isRoot) {
      y = fmul(fmul(y, fmul(t2, t)), SQRT_MINUS_11_CUBED);
      num = fmul(num, zt2);
    }
    if (sgn0(t) !== sgn0(y)) y = fneg(y);
    y = fmul(y, den);
    return [num, y, den];
  }
  function isoMapG1(x, y, z) {
    var zp = [z], i, j;
    for (i = 1; i < 15; i++) zp.push(fmul(zp[i - 1], z));
    var mapped = [0n, 0n, 0n, 0n];
    for (i = 0; i < 4; i++) {
      var k = ISO_11_MAP_COEFFICIENTS[i];
      mapped[i] = k[k.length - 1];
      for (j = 0; j < k.length - 1; j++) mapped[i] = fadd(fmul(mapped[i], x), fmul(zp[j], k[k.length - 2 - j]));
    }
    mapped[1] = fmul(mapped[1], z);
    mapped[2] = fmul(mapped[2], y);
    mapped[3] = fmul(mapped[3], z);
    return [fmul(mapped[0], mapped[3]), fmul(mapped[1], mapped[2]), fmul(mapped[1], mapped[3])];
  }
  function mapToCurveG1(u) { var p = optimizedSwuG1(u), q = isoMapG1(p[0], p[1], p[2]); return g1fromProjective(q[0], q[1], q[2]); }
  async function hashToG1(msg, dst) {
    var u = await hashToFieldFp(msg, 2, dst);
    return g1mul(g1add(mapToCurveG1(u[0]), mapToCurveG1(u[1])), H_EFF_G1);
  }

  // ---------------------------------------------------------------- pairing
  // The line through T (and Q) on the twist, evaluated at P = (xp, yp) in G1, times w^3:
  // (lam*xt - yt) - lam*xp*v + yp*v*w.
  function lineAt(lam, T, xp, yp) {
    return [[f2sub(f2mul(lam, T[0]), T[1]), f2neg(f2muls(lam, xp)), F2_ZERO], [F2_ZERO, [yp, 0n], F2_ZERO]];
  }
  function millerLoop(Q, Pt) {
    var f = F12_ONE, T = Q, bits = X_ABS.toString(2), lam, x3;
    for (var i = 1; i < bits.length; i++) {
      lam = f2mul(f2muls(f2sqr(T[0]), 3n), f2inv(f2add(T[1], T[1])));
      f = f12mul(f12sqr(f), lineAt(lam, T, Pt[0], Pt[1]));
      x3 = f2sub(f2sqr(lam), f2add(T[0], T[0]));
      T = [x3, f2sub(f2mul(lam, f2sub(T[0], x3)), T[1])];
      if (bits[i] === "1") {
        lam = f2mul(f2sub(Q[1], T[1]), f2inv(f2sub(Q[0], T[0])));
        f = f12mul(f, lineAt(lam, T, Pt[0], Pt[1]));
        x3 = f2sub(f2sub(f2sqr(lam), T[0]), Q[0]);
        T = [x3, f2sub(f2mul(lam, f2sub(T[0], x3)), T[1])];
      }
    }
    return f;
  }
  var HARD_EXP = (P ** 6n + 1n) / R;
  function finalExponentiate(f) {
    var g = f12mul(f12conj(f), f12inv(f));  // f^(p^6 - 1)
    var r = F12_ONE, bits = HARD_EXP.toString(2);
    for (var i = 0; i < bits.length; i++) {
      r = f12sqr(r);
      if (bits[i] === "1") r = f12mul(r, g);
    }
    return r;
  }
  function hexBytes(h) { var b = new Uint8Array(h.length / 2); for (var i = 0; i < b.length; i++) b[i] = parseInt(h.substr(2 * i, 2), 16); return b; }
  function u64be(n) { var b = new Uint8Array(8), v = BigInt(n); for (var i = 7; i >= 0; i--) { b[i] = Number(v & 255n); v >>= 8n; } return b; }

  // drand.verify_signature for the quicknet scheme (bls-unchained-g1-rfc9380).
  async function verifyQuicknet(roundNo, signatureHex, publicKeyHex) {
    var sig, pk;
    try {
      sig = decompressG1(hexBytes(signatureHex));
      pk = decompressG2(hexBytes(publicKeyHex));
    } catch (e) {
      return false;  // not a point on the curve
    }
    if (sig === null || pk === null || !subgroupCheckG1(sig)) return false;
    var msg = await sha256(u64be(roundNo));
    var h = await hashToG1(msg, new TextEncoder().encode(DST));
    if (h === null) return false;
    var f = f12mul(millerLoop(G2_GEN, sig), millerLoop(pk, [h[0], fneg(h[1])]));
    return f12isOne(finalExponentiate(f));
  }

  root.FairdrawBLS = {
    verifyQuicknet: verifyQuicknet,
    // internals, for the tests
    _decompressG1: decompressG1, _decompressG2: decompressG2, _hashToG1: hashToG1, _g1onCurve: g1onCurve,
    _subgroupCheckG1: subgroupCheckG1
  };
})(typeof window !== "undefined" ? window : globalThis);
