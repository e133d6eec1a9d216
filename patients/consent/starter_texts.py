# ruff: noqa: E501  (paragraphs of text for patients: one line each, as Markdown reads them)
"""The two starter consent documents' texts, in plain words, in the five languages.

Honest about what is known: no exosome product is FDA-approved, the studies are small and mostly
open-label, one placebo-controlled trial found no benefit from PRP alone (domain brief). A clinic
revises these (a new version) to fit its own products and its country's rules.
"""

TREATMENT = {
    "en": {
        "title": "Consent to exosome and PRP treatment of the scalp",
        "body": """Please read this before your treatment. Ask us about anything that is not clear.

**What the treatment is**

We put a product into or onto your scalp to try to help your hair grow. It is one of these:

- **exosomes**: tiny particles made by cells. Depending on your treatment plan, they come from your own blood or fat, from donated human cells, or from plants;
- **PRP** (platelet-rich plasma), made from a small amount of your own blood.

They are given by small injections into the scalp, or put on the scalp after gentle microneedling.

**This treatment is investigational**

- No exosome product is approved by the US Food and Drug Administration (FDA), or by most other medicines regulators, to treat hair loss.
- The studies so far are small, and most were open-label (everyone knew who was treated). One careful trial found no benefit from PRP alone.
- We cannot promise that your hair will grow back, or that it will stay. Results, if any, usually show after 3 to 6 months.

**Possible risks**

- Common: pain, swelling, redness or small bruises where the needle went in, and headache. They usually pass within a few days.
- Less common: more hair shedding for a few weeks, itching, or an allergic reaction.
- Rare: infection, or a reaction nobody knows of yet, because these products are new.

**What you can do**

- Tell us about every medicine you take, especially blood thinners, and about any illness or pregnancy.
- Follow the aftercare we give you: no hair wash for 48 hours; no hard exercise, swimming, sauna or strong sun for 3 days; no hair dye for 4 weeks.
- Call us at once if you get a fever, pus, or pain or swelling that gets worse.

**Your choice**

You may say no, or stop at any time, without giving a reason. This does not change the rest of your care. Other options include minoxidil, finasteride and a hair transplant; your doctor can explain them.

By signing, you confirm that you have read this text, that your questions have been answered, and that you agree to the treatment.""",
    },
    "tr": {
        "title": "Saçlı deriye eksozom ve PRP tedavisi için onam",
        "body": """Lütfen tedaviden önce bu metni okuyun. Anlamadığınız her şeyi bize sorun.

**Tedavi nedir**

Saçınızın uzamasına yardımcı olmak amacıyla saçlı derinize bir ürün uyguluyoruz. Bu ürün şunlardan biridir:

- **eksozomlar**: hücrelerin ürettiği çok küçük parçacıklar. Tedavi planınıza göre kendi kanınızdan veya yağ dokunuzdan, bağışlanmış insan hücrelerinden ya da bitkilerden elde edilir;
- **PRP** (trombositten zengin plazma): az miktarda kendi kanınızdan hazırlanır.

Saçlı deriye küçük iğnelerle enjekte edilir ya da hafif bir mikroiğneleme işleminden sonra deriye sürülür.

**Bu tedavi deneyseldir**

- Hiçbir eksozom ürünü, saç dökülmesinin tedavisi için ABD Gıda ve İlaç Dairesi (FDA) ya da diğer ilaç otoritelerinin çoğu tarafından onaylanmamıştır.
- Şimdiye kadarki çalışmalar küçüktür ve çoğu açık etiketlidir (kimin tedavi edildiğini herkes biliyordu). Dikkatli yapılmış bir çalışma, tek başına PRP'nin fayda sağlamadığını bulmuştur.
- Saçınızın yeniden çıkacağını ya da kalıcı olacağını garanti edemeyiz. Bir sonuç olursa, genellikle 3 ila 6 ay sonra görülür.

**Olası riskler**

- Sık: iğnenin girdiği yerde ağrı, şişlik, kızarıklık veya küçük morluklar ve baş ağrısı. Genellikle birkaç gün içinde geçer.
- Daha az sık: birkaç hafta süren artmış saç dökülmesi, kaşıntı veya alerjik reaksiyon.
- Nadir: enfeksiyon ya da bu ürünler yeni olduğu için henüz kimsenin bilmediği bir reaksiyon.

**Sizin yapabilecekleriniz**

- Kullandığınız bütün ilaçları, özellikle kan sulandırıcıları, her türlü hastalığı ve gebeliği bize söyleyin.
- Size verdiğimiz bakım talimatlarına uyun: 48 saat saçınızı yıkamayın; 3 gün ağır spor, yüzme, sauna ve güçlü güneşten kaçının; 4 hafta saç boyası kullanmayın.
- Ateş, iltihap ya da giderek artan ağrı veya şişlik olursa hemen bizi arayın.

**Karar sizindir**

Hayır diyebilir ya da istediğiniz zaman, sebep göstermeden tedaviyi bırakabilirsiniz. Bu, diğer bakımınızı değiştirmez. Diğer seçenekler arasında minoksidil, finasterid ve saç ekimi vardır; doktorunuz bunları size açıklayabilir.

İmzalayarak bu metni okuduğunuzu, sorularınızın yanıtlandığını ve tedaviyi kabul ettiğinizi onaylarsınız.""",
    },
    "ar": {
        "title": "الموافقة على علاج فروة الرأس بالإكسوسومات والبلازما الغنية بالصفائح الدموية",
        "body": """يُرجى قراءة هذا النص قبل العلاج. اسألنا عن أي شيء غير واضح.

**ما هو العلاج**

نضع مادة في فروة رأسك أو عليها لمحاولة مساعدة شعرك على النمو. وهي إحدى ما يلي:

- **الإكسوسومات**: جزيئات صغيرة جدًا تصنعها الخلايا. وحسب خطة علاجك، تُؤخذ من دمك أو دهونك، أو من خلايا بشرية متبرَّع بها، أو من النباتات؛
- **البلازما الغنية بالصفائح الدموية (PRP)**، وتُحضَّر من كمية صغيرة من دمك.

تُعطى بحُقن صغيرة في فروة الرأس، أو توضع على فروة الرأس بعد وخز خفيف بالإبر الدقيقة.

**هذا العلاج تجريبي**

- لم توافق إدارة الغذاء والدواء الأمريكية (FDA) ولا معظم هيئات الدواء الأخرى على أي منتج من الإكسوسومات لعلاج تساقط الشعر.
- الدراسات حتى الآن صغيرة، ومعظمها مفتوح (كان الجميع يعرف من يتلقى العلاج). ووجدت دراسة دقيقة أن البلازما الغنية بالصفائح وحدها لم تُفِد.
- لا يمكننا أن نعدك بأن شعرك سينمو من جديد أو أنه سيبقى. وإن ظهرت نتيجة، فعادةً ما تظهر بعد 3 إلى 6 أشهر.

**المخاطر المحتملة**

- شائعة: ألم أو تورّم أو احمرار أو كدمات صغيرة مكان الإبرة، وصداع. وتزول عادةً خلال أيام قليلة.
- أقل شيوعًا: زيادة تساقط الشعر لبضعة أسابيع، أو حكة، أو رد فعل تحسسي.
- نادرة: عدوى، أو رد فعل لا يعرفه أحد بعد، لأن هذه المنتجات جديدة.

**ما يمكنك فعله**

- أخبرنا بكل دواء تتناوله، وخاصة مميّعات الدم، وبأي مرض أو حمل.
- اتبع تعليمات العناية التي نعطيك إياها: لا تغسل شعرك لمدة 48 ساعة؛ ولا رياضة شاقة ولا سباحة ولا ساونا ولا شمس قوية لمدة 3 أيام؛ ولا صبغة للشعر لمدة 4 أسابيع.
- اتصل بنا فورًا إذا أصبت بحمّى أو صديد، أو بألم أو تورّم يزداد سوءًا.

**القرار لك**

يمكنك أن ترفض، أو أن تتوقف في أي وقت، دون ذكر السبب. ولا يغيّر ذلك بقية رعايتك. ومن الخيارات الأخرى المينوكسيديل والفيناسترايد وزراعة الشعر؛ ويمكن لطبيبك أن يشرحها لك.

بتوقيعك تؤكد أنك قرأت هذا النص، وأنه تمت الإجابة عن أسئلتك، وأنك توافق على العلاج.""",
    },
    "es": {
        "title": "Consentimiento para el tratamiento del cuero cabelludo con exosomas y PRP",
        "body": """Lea esto antes de su tratamiento. Pregúntenos todo lo que no le quede claro.

**En qué consiste el tratamiento**

Aplicamos un producto en su cuero cabelludo para intentar ayudar a que crezca el pelo. Es uno de estos:

- **exosomas**: partículas diminutas que producen las células. Según su plan de tratamiento, proceden de su propia sangre o grasa, de células humanas donadas o de plantas;
- **PRP** (plasma rico en plaquetas), preparado con una pequeña cantidad de su propia sangre.

Se administran con pequeñas inyecciones en el cuero cabelludo, o se aplican sobre él después de un microneedling suave.

**Este tratamiento está en investigación**

- Ningún producto de exosomas está aprobado por la Administración de Alimentos y Medicamentos de EE. UU. (FDA), ni por la mayoría de las demás autoridades sanitarias, para tratar la caída del pelo.
- Los estudios hechos hasta ahora son pequeños y la mayoría fueron abiertos (todos sabían quién recibía el tratamiento). Un ensayo cuidadoso no encontró ningún beneficio del PRP solo.
- No podemos prometerle que el pelo vuelva a crecer ni que se mantenga. Si hay resultados, suelen verse a los 3 a 6 meses.

**Posibles riesgos**

- Frecuentes: dolor, hinchazón, enrojecimiento o pequeños moratones donde entró la aguja, y dolor de cabeza. Suelen desaparecer en pocos días.
- Menos frecuentes: más caída de pelo durante unas semanas, picor o una reacción alérgica.
- Raros: infección, o una reacción que nadie conoce todavía, porque estos productos son nuevos.

**Lo que usted puede hacer**

- Díganos todos los medicamentos que toma, sobre todo los anticoagulantes, y cualquier enfermedad o embarazo.
- Siga los cuidados que le indicamos: no lavarse el pelo durante 48 horas; nada de ejercicio intenso, natación, sauna ni sol fuerte durante 3 días; no teñirse el pelo durante 4 semanas.
- Llámenos enseguida si tiene fiebre, pus, o dolor o hinchazón que empeoran.

**Usted decide**

Puede decir que no, o dejar el tratamiento en cualquier momento, sin dar explicaciones. Esto no cambia el resto de su atención. Otras opciones son el minoxidil, la finasterida y el trasplante capilar; su médico puede explicárselas.

Al firmar, confirma que ha leído este texto, que se han respondido sus preguntas y que acepta el tratamiento.""",
    },
    "de": {
        "title": "Einwilligung in die Behandlung der Kopfhaut mit Exosomen und PRP",
        "body": """Bitte lesen Sie dies vor Ihrer Behandlung. Fragen Sie uns alles, was Ihnen nicht klar ist.

**Was die Behandlung ist**

Wir bringen ein Mittel in oder auf Ihre Kopfhaut, um das Wachstum Ihrer Haare zu unterstützen. Es ist eines der folgenden:

- **Exosomen**: winzige Teilchen, die von Zellen gebildet werden. Je nach Ihrem Behandlungsplan stammen sie aus Ihrem eigenen Blut oder Fett, aus gespendeten menschlichen Zellen oder aus Pflanzen;
- **PRP** (plättchenreiches Plasma), hergestellt aus einer kleinen Menge Ihres eigenen Blutes.

Sie werden mit kleinen Spritzen in die Kopfhaut gegeben oder nach sanftem Microneedling auf die Kopfhaut aufgetragen.

**Diese Behandlung ist noch in der Erprobung**

- Kein Exosomen-Produkt ist von der US-Arzneimittelbehörde (FDA) oder von den meisten anderen Arzneimittelbehörden zur Behandlung von Haarausfall zugelassen.
- Die bisherigen Studien sind klein, und die meisten waren offen (alle wussten, wer behandelt wurde). Eine sorgfältige Studie fand keinen Nutzen von PRP allein.
- Wir können Ihnen nicht versprechen, dass Ihr Haar nachwächst oder bleibt. Wenn es eine Wirkung gibt, zeigt sie sich meist nach 3 bis 6 Monaten.

**Mögliche Risiken**

- Häufig: Schmerzen, Schwellung, Rötung oder kleine Blutergüsse an der Einstichstelle sowie Kopfschmerzen. Sie vergehen meist nach wenigen Tagen.
- Weniger häufig: einige Wochen lang stärkerer Haarausfall, Juckreiz oder eine allergische Reaktion.
- Selten: eine Infektion oder eine Reaktion, die noch niemand kennt, weil diese Mittel neu sind.

**Was Sie tun können**

- Nennen Sie uns jedes Medikament, das Sie nehmen, besonders Blutverdünner, sowie jede Krankheit oder Schwangerschaft.
- Halten Sie sich an unsere Hinweise für danach: 48 Stunden keine Haarwäsche; 3 Tage kein anstrengender Sport, kein Schwimmen, keine Sauna und keine starke Sonne; 4 Wochen keine Haarfarbe.
- Rufen Sie uns sofort an, wenn Sie Fieber, Eiter oder zunehmende Schmerzen oder Schwellungen bekommen.

**Sie entscheiden**

Sie können ablehnen oder jederzeit ohne Angabe von Gründen aufhören. Das ändert nichts an Ihrer übrigen Behandlung. Andere Möglichkeiten sind Minoxidil, Finasterid und eine Haartransplantation; Ihre Ärztin oder Ihr Arzt erklärt sie Ihnen.

Mit Ihrer Unterschrift bestätigen Sie, dass Sie diesen Text gelesen haben, dass Ihre Fragen beantwortet wurden und dass Sie in die Behandlung einwilligen.""",
    },
}

PHOTOS = {
    "en": {
        "title": "Consent to photographs of your scalp",
        "body": """To see whether the treatment works, we take standard photographs of your scalp at your visits: from the top, the front, the sides and the back, and close-up images with a small camera.

- Only the doctors and nurses who treat you can see them. They are kept in your medical file, not on a phone.
- We remove the camera's hidden data, such as the place where a photo was taken.
- We never show them to anyone else, or use them for advertising, teaching or research, unless you agree to that separately in writing.
- You may withdraw this consent at any time. Photos already taken stay in your medical file, because medical records must be kept, but we take no new ones.

Saying no does not change your treatment, but it makes the results harder to judge.

By signing, you agree that we take these photographs and keep them in your medical file.""",
    },
    "tr": {
        "title": "Saçlı derinizin fotoğraflanması için onam",
        "body": """Tedavinin işe yarayıp yaramadığını görmek için ziyaretlerinizde saçlı derinizin standart fotoğraflarını çekiyoruz: üstten, önden, yanlardan ve arkadan; ayrıca küçük bir kamerayla yakın çekim görüntüler.

- Bu fotoğrafları yalnızca sizi tedavi eden doktorlar ve hemşireler görebilir. Telefonda değil, tıbbi dosyanızda saklanır.
- Fotoğrafın çekildiği yer gibi kameranın gizli bilgilerini sileriz.
- Ayrıca yazılı olarak kabul etmediğiniz sürece fotoğrafları asla başka birine göstermez; reklamda, eğitimde veya araştırmada kullanmayız.
- Bu onamı istediğiniz zaman geri çekebilirsiniz. Daha önce çekilmiş fotoğraflar, tıbbi kayıtların saklanması gerektiği için dosyanızda kalır, ancak yenilerini çekmeyiz.

Hayır demeniz tedavinizi değiştirmez, ancak sonuçları değerlendirmeyi zorlaştırır.

İmzalayarak bu fotoğrafları çekmemizi ve tıbbi dosyanızda saklamamızı kabul edersiniz.""",
    },
    "ar": {
        "title": "الموافقة على تصوير فروة رأسك",
        "body": """لنعرف ما إذا كان العلاج يفيد، نلتقط في زياراتك صورًا قياسية لفروة رأسك: من الأعلى ومن الأمام ومن الجانبين ومن الخلف، وصورًا مقرّبة بكاميرا صغيرة.

- لا يراها إلا الأطباء والممرضون الذين يعالجونك. وتُحفظ في ملفك الطبي، لا على هاتف.
- نحذف البيانات المخفية للكاميرا، مثل المكان الذي التُقطت فيه الصورة.
- لا نعرضها أبدًا على أي شخص آخر، ولا نستخدمها في الإعلان أو التعليم أو البحث، إلا إذا وافقت على ذلك كتابةً بشكل منفصل.
- يمكنك سحب هذه الموافقة في أي وقت. تبقى الصور التي التُقطت في ملفك الطبي لأن السجلات الطبية يجب الاحتفاظ بها، لكننا لا نلتقط صورًا جديدة.

رفضك لا يغيّر علاجك، لكنه يجعل تقييم النتائج أصعب.

بتوقيعك توافق على أن نلتقط هذه الصور ونحتفظ بها في ملفك الطبي.""",
    },
    "es": {
        "title": "Consentimiento para fotografiar su cuero cabelludo",
        "body": """Para ver si el tratamiento funciona, en sus visitas tomamos fotografías estándar de su cuero cabelludo: desde arriba, de frente, de los lados y de la nuca, además de imágenes de cerca con una pequeña cámara.

- Solo pueden verlas los médicos y enfermeros que le tratan. Se guardan en su historia clínica, no en un teléfono.
- Eliminamos los datos ocultos de la cámara, como el lugar donde se tomó la foto.
- Nunca las enseñamos a nadie más ni las usamos para publicidad, docencia o investigación, salvo que usted lo acepte aparte y por escrito.
- Puede retirar este consentimiento en cualquier momento. Las fotos ya tomadas se quedan en su historia clínica, porque los registros médicos deben conservarse, pero no tomamos otras nuevas.

Decir que no, no cambia su tratamiento, pero hace más difícil valorar los resultados.

Al firmar, acepta que tomemos estas fotografías y las guardemos en su historia clínica.""",
    },
    "de": {
        "title": "Einwilligung in Fotos Ihrer Kopfhaut",
        "body": """Um zu sehen, ob die Behandlung wirkt, machen wir bei Ihren Terminen Standardfotos Ihrer Kopfhaut: von oben, von vorn, von den Seiten und von hinten, dazu Nahaufnahmen mit einer kleinen Kamera.

- Nur die Ärztinnen, Ärzte und Pflegekräfte, die Sie behandeln, können sie sehen. Sie werden in Ihrer Patientenakte gespeichert, nicht auf einem Handy.
- Wir entfernen die versteckten Daten der Kamera, zum Beispiel den Ort der Aufnahme.
- Wir zeigen sie niemand anderem und nutzen sie nie für Werbung, Lehre oder Forschung, außer Sie stimmen dem gesondert schriftlich zu.
- Sie können diese Einwilligung jederzeit widerrufen. Bereits gemachte Fotos bleiben in Ihrer Akte, weil Patientenakten aufbewahrt werden müssen, aber wir machen keine neuen.

Wenn Sie ablehnen, ändert das nichts an Ihrer Behandlung, aber die Ergebnisse sind schwerer zu beurteilen.

Mit Ihrer Unterschrift willigen Sie ein, dass wir diese Fotos machen und in Ihrer Akte aufbewahren.""",
    },
}
