"""What the starter protocols tell patients, in English, Turkish, Arabic, Spanish and German.

Plain words, the clinic speaking to the patient politely (Turkish "siz", Arabic plural of
respect, Spanish "usted", German "Sie"). Medical words follow docs/glossary.md, so "scalp",
"minoxidil" or "PRP" read the same in every text of a language. Each text is built from the same
pieces in every language, so a fix to one piece reaches every protocol that says it.
Nothing here is medical advice: every text is clinic-editable once the starters are loaded.
"""

from dataclasses import astuple, dataclass

from .texts import OTHER_LANGUAGES


@dataclass(frozen=True)
class Text:
    """One patient text in the five languages; `a + b` joins two texts language by language."""

    en: str
    tr: str
    ar: str
    es: str
    de: str

    def __add__(self, other: "Text") -> "Text":
        return Text(*(mine + theirs for mine, theirs in zip(astuple(self), astuple(other), strict=True)))

    @property
    def i18n(self) -> dict[str, str]:
        """The `instructions_i18n` of this text: every language but English."""
        return {language: getattr(self, language) for language in OTHER_LANGUAGES}


BLOOD_THINNERS = Text(
    en="If you take blood thinners, aspirin or painkillers such as ibuprofen, tell us before the visit. "
       "Do not stop any medicine on your own.",
    tr="Kan sulandırıcı, aspirin ya da ibuprofen gibi ağrı kesiciler kullanıyorsanız ziyaretten önce bize söyleyin. "
       "Hiçbir ilacı kendi kendinize bırakmayın.",
    ar="إذا كنتم تتناولون مميعات الدم أو الأسبرين أو مسكنات الألم مثل الإيبوبروفين، فأخبرونا قبل الزيارة. "
       "لا توقفوا أي دواء من تلقاء أنفسكم.",
    es="Si toma anticoagulantes, aspirina o analgésicos como el ibuprofeno, díganoslo antes de la visita. "
       "No deje ningún medicamento por su cuenta.",
    de="Wenn Sie Blutverdünner, Aspirin oder Schmerzmittel wie Ibuprofen nehmen, sagen Sie es uns vor dem Termin. "
       "Setzen Sie kein Medikament auf eigene Faust ab.",
)
WASH_EVENING_BEFORE = Text(
    en="Wash your hair the evening before and come without gel, spray or oil. ",
    tr="Önceki akşam saçınızı yıkayın ve saçınızda jöle, sprey ya da yağ olmadan gelin. ",
    ar="اغسلوا شعركم في المساء السابق للزيارة واحضروا دون جل أو بخاخ أو زيت على الشعر. ",
    es="Lávese el pelo la noche anterior y venga sin gel, laca ni aceite. ",
    de="Waschen Sie Ihre Haare am Abend vorher und kommen Sie ohne Gel, Haarspray oder Öl. ",
)
INJECTION = Text(
    en="Wash your hair the evening before or the morning of the visit and come without gel, spray or oil. "
       "Eat a normal meal before you come. ",
    tr="Ziyaretten önceki akşam ya da ziyaret günü sabah saçınızı yıkayın ve saçınızda jöle, sprey ya da yağ olmadan "
       "gelin. Gelmeden önce normal bir öğün yiyin. ",
    ar="اغسلوا شعركم في المساء السابق للزيارة أو في صباح يومها، واحضروا دون جل أو بخاخ أو زيت على الشعر. "
       "تناولوا وجبة عادية قبل الحضور. ",
    es="Lávese el pelo la noche anterior o la mañana de la visita y venga sin gel, laca ni aceite. "
       "Coma con normalidad antes de venir. ",
    de="Waschen Sie Ihre Haare am Abend vorher oder am Morgen des Termins und kommen Sie ohne Gel, Haarspray oder Öl. "
       "Essen Sie vor dem Termin ganz normal. ",
) + BLOOD_THINNERS
HARVEST = Text(
    en="At this visit we take a small amount of your blood and prepare the treatment from it, so the visit takes "
       "about an hour. Drink plenty of water and eat a normal meal before you come. ",
    tr="Bu ziyarette sizden az miktarda kan alıyor ve tedaviyi bu kandan hazırlıyoruz; bu yüzden ziyaret yaklaşık "
       "bir saat sürer. Gelmeden önce bol su için ve normal bir öğün yiyin. ",
    ar="في هذه الزيارة نأخذ كمية صغيرة من دمكم ونحضّر منها العلاج، لذلك تستغرق الزيارة نحو ساعة. "
       "اشربوا الكثير من الماء وتناولوا وجبة عادية قبل الحضور. ",
    es="En esta visita le sacamos un poco de sangre y preparamos con ella el tratamiento, por eso la visita dura "
       "alrededor de una hora. Beba mucha agua y coma con normalidad antes de venir. ",
    de="Bei diesem Termin nehmen wir Ihnen etwas Blut ab und bereiten daraus die Behandlung zu; deshalb dauert der "
       "Termin etwa eine Stunde. Trinken Sie viel Wasser und essen Sie vor dem Termin ganz normal. ",
) + WASH_EVENING_BEFORE + BLOOD_THINNERS
PRP = Text(
    en="At this visit we take a small amount of your blood to prepare PRP (platelet-rich plasma) from it. "
       "Drink plenty of water, eat a normal meal and avoid alcohol the day before. ",
    tr="Bu ziyarette sizden az miktarda kan alıp bu kandan PRP (trombositten zengin plazma) hazırlıyoruz. "
       "Bol su için, normal bir öğün yiyin ve bir gün önce alkol almayın. ",
    ar="في هذه الزيارة نأخذ كمية صغيرة من دمكم لنحضّر منها البلازما الغنية بالصفائح الدموية (PRP). "
       "اشربوا الكثير من الماء، وتناولوا وجبة عادية، وتجنبوا الكحول في اليوم السابق. ",
    es="En esta visita le sacamos un poco de sangre para preparar con ella PRP (plasma rico en plaquetas). "
       "Beba mucha agua, coma con normalidad y no tome alcohol el día anterior. ",
    de="Bei diesem Termin nehmen wir Ihnen etwas Blut ab und bereiten daraus PRP (plättchenreiches Plasma) zu. "
       "Trinken Sie viel Wasser, essen Sie ganz normal und trinken Sie am Tag vorher keinen Alkohol. ",
) + WASH_EVENING_BEFORE + BLOOD_THINNERS

CLEAN_HAIR = Text(
    en="Come with clean, dry hair and no styling products.",
    tr="Temiz ve kuru saçla, saç şekillendirici ürün kullanmadan gelin.",
    ar="احضروا بشعر نظيف وجاف ودون منتجات تصفيف.",
    es="Venga con el pelo limpio y seco, sin productos de peinado.",
    de="Kommen Sie mit sauberen, trockenen Haaren und ohne Stylingprodukte.",
)
SCALP_READY = CLEAN_HAIR + Text(
    en=" Your scalp should be free of cuts, spots and sunburn. ",
    tr=" Saç derinizde kesik, sivilce ya da güneş yanığı olmamalıdır. ",
    ar=" يجب أن تكون فروة رأسكم خالية من الجروح والبثور وحروق الشمس. ",
    es=" El cuero cabelludo no debe tener cortes, granos ni quemaduras solares. ",
    de=" Ihre Kopfhaut sollte frei von Schnitten, Pickeln und Sonnenbrand sein. ",
)
TOPICAL = SCALP_READY + Text(
    en="The treatment is put on your scalp after gentle microneedling, which feels like light pricking.",
    tr="Tedavi, nazik bir mikro iğnelemeden sonra saç derinize sürülür; mikro iğneleme hafif bir batma gibi "
       "hissedilir.",
    ar="يوضع العلاج على فروة رأسكم بعد وخز لطيف بالإبر الدقيقة، وتشعرون معه بوخز خفيف.",
    es="El tratamiento se aplica sobre el cuero cabelludo después de una micropunción suave, que se siente como "
       "ligeros pinchazos.",
    de="Die Behandlung wird nach einem sanften Microneedling auf Ihre Kopfhaut aufgetragen; das fühlt sich wie "
       "ein leichtes Piksen an.",
)
TOPICAL_PLAIN = SCALP_READY + Text(
    en="The treatment is put on your scalp; it does not hurt.",
    tr="Tedavi saç derinize sürülür; acıtmaz.",
    ar="يوضع العلاج على فروة رأسكم، ولا يسبب أي ألم.",
    es="El tratamiento se aplica sobre el cuero cabelludo; no duele.",
    de="Die Behandlung wird auf Ihre Kopfhaut aufgetragen; das tut nicht weh.",
)
POSTOP_FIRST = Text(
    en="This first treatment is given on the day of your hair transplant or the day after. Follow your surgeon's "
       "advice on washing and sleeping, and do not touch or scratch the new grafts.",
    tr="Bu ilk tedavi, saç ekiminizin yapıldığı gün ya da ertesi gün uygulanır. Saç yıkama ve uyku "
       "konusunda cerrahınızın önerilerine uyun; yeni ekilen greftlere dokunmayın ve onları kaşımayın.",
    ar="يُعطى هذا العلاج الأول في يوم زراعة الشعر أو في اليوم التالي. اتبعوا نصائح الجراح بشأن غسل الشعر والنوم، "
       "ولا تلمسوا البصيلات المزروعة الجديدة ولا تحكّوها.",
    es="Este primer tratamiento se aplica el día de su trasplante capilar o el día siguiente. Siga los consejos de "
       "su cirujano sobre cómo lavarse el pelo y cómo dormir, y no toque ni rasque los injertos nuevos.",
    de="Diese erste Behandlung erfolgt am Tag Ihrer Haartransplantation oder am Tag danach. Halten Sie sich beim "
       "Haarewaschen und Schlafen an die Hinweise Ihres Chirurgen, und berühren oder kratzen Sie die neuen Grafts "
       "nicht.",
)
POSTOP = Text(
    en="Come with clean, dry hair and no styling products, and wash it gently as your surgeon showed you. "
       "Tell us if the transplanted area is red, swollen or painful.",
    tr="Temiz ve kuru saçla, saç şekillendirici ürün kullanmadan gelin; saçınızı cerrahınızın gösterdiği gibi "
       "nazikçe yıkayın. Saç ekilen bölge kızarık, şiş ya da ağrılıysa bize söyleyin.",
    ar="احضروا بشعر نظيف وجاف ودون منتجات تصفيف، واغسلوه بلطف كما أراكم الجراح. "
       "أخبرونا إذا كانت المنطقة المزروعة حمراء أو متورمة أو مؤلمة.",
    es="Venga con el pelo limpio y seco, sin productos de peinado, y láveselo con suavidad como le enseñó su "
       "cirujano. Díganos si la zona trasplantada está roja, hinchada o le duele.",
    de="Kommen Sie mit sauberen, trockenen Haaren und ohne Stylingprodukte, und waschen Sie sie sanft so, wie Ihr "
       "Chirurg es Ihnen gezeigt hat. Sagen Sie uns Bescheid, wenn die transplantierte Stelle gerötet, geschwollen "
       "oder schmerzhaft ist.",
)
REVIEW = Text(
    en="A short check-up with no treatment: we take standard photos of your scalp and measure your hair with a "
       "small camera to see how it is responding. ",
    tr="Tedavi yapılmayan kısa bir kontrol: saçınızın tedaviye nasıl yanıt verdiğini görmek için saç derinizin "
       "standart fotoğraflarını çekiyor ve saçınızı küçük bir kamerayla ölçüyoruz. ",
    ar="فحص متابعة قصير دون علاج: نلتقط صورًا قياسية لفروة رأسكم ونقيس شعركم بكاميرا صغيرة لنرى مدى استجابته للعلاج. ",
    es="Una revisión breve, sin tratamiento: tomamos fotos estándar de su cuero cabelludo y medimos su pelo con una "
       "pequeña cámara para ver cómo responde. ",
    de="Ein kurzer Kontrolltermin ohne Behandlung: Wir machen Standardfotos Ihrer Kopfhaut und messen Ihre Haare "
       "mit einer kleinen Kamera, um zu sehen, wie sie auf die Behandlung ansprechen. ",
) + CLEAN_HAIR
PHOTOS_TODAY = Text(
    en=" Before the treatment we also take standard photos of your scalp to see how your hair is responding.",
    tr=" Tedaviden önce, saçınızın nasıl yanıt verdiğini görmek için saç derinizin standart fotoğraflarını da "
       "çekiyoruz.",
    ar=" وقبل العلاج نلتقط أيضًا صورًا قياسية لفروة رأسكم لنرى مدى استجابة شعركم للعلاج.",
    es=" Antes del tratamiento también tomamos fotos estándar de su cuero cabelludo para ver cómo responde su pelo.",
    de=" Vor der Behandlung machen wir außerdem Standardfotos Ihrer Kopfhaut, um zu sehen, wie Ihre Haare "
       "ansprechen.",
)
SALT_REVIEW = REVIEW + Text(
    en=" We also measure the bald patches to score how much they have regrown.",
    tr=" Ayrıca saçsız alanları ölçerek buralarda ne kadar saçın yeniden çıktığını puanlıyoruz.",
    ar=" ونقيس أيضًا البقع الصلعاء لنقدّر مقدار الشعر الذي نما فيها من جديد.",
    es=" También medimos las zonas sin pelo para puntuar cuánto pelo ha vuelto a crecer en ellas.",
    de=" Außerdem messen wir die kahlen Stellen, um zu bewerten, wie viel Haar dort nachgewachsen ist.",
)
PULL_TEST_REVIEW = REVIEW + Text(
    en=" We also gently pull a few hairs to see how many come out.",
    tr=" Ayrıca kaç tanesinin çıktığını görmek için birkaç saç telini hafifçe çekiyoruz.",
    ar=" ونشدّ أيضًا بضع شعرات بلطف لنرى كم منها ينخلع.",
    es=" También tiramos suavemente de unos cuantos pelos para ver cuántos se desprenden.",
    de=" Außerdem ziehen wir sanft an ein paar Haaren, um zu sehen, wie viele sich lösen.",
)

MINOXIDIL_WARNING = Text(
    en="If you feel dizzy, your heart races or your ankles swell, stop it and call us.",
    tr="Başınız dönerse, kalbiniz hızlı çarparsa ya da ayak bilekleriniz şişerse minoksidili bırakın ve bizi "
       "arayın.",
    ar="إذا شعرتم بدوار أو تسارعت ضربات قلبكم أو تورم كاحلاكم، فأوقفوا المينوكسيديل واتصلوا بنا.",
    es="Si se marea, nota el corazón muy acelerado o se le hinchan los tobillos, deje el minoxidil y llámenos.",
    de="Wenn Ihnen schwindlig wird, Ihr Herz rast oder Ihre Knöchel anschwellen, setzen Sie Minoxidil ab und "
       "rufen Sie uns an.",
)
MINOXIDIL_MEN = Text(
    en="Put 1 mL of minoxidil 5% solution on the dry scalp twice a day, morning and evening, and spread it with "
       "your fingertips. Wash your hands afterwards. Use it every day: hair that grows back can fall out again if "
       "you stop. ",
    tr="Günde iki kez, sabah ve akşam, kuru saç derisine 1 mL %5 minoksidil solüsyonu sürün ve parmak uçlarınızla "
       "yayın. Ardından ellerinizi yıkayın. Her gün kullanın: bırakırsanız yeniden çıkan saçlar tekrar dökülebilir. ",
    ar="ضعوا 1 مل من محلول المينوكسيديل 5% على فروة الرأس الجافة مرتين في اليوم، صباحًا ومساءً، ووزّعوه بأطراف "
       "أصابعكم. اغسلوا أيديكم بعد ذلك. استعملوه كل يوم: الشعر الذي ينمو من جديد قد يتساقط مرة أخرى إذا توقفتم. ",
    es="Aplique 1 mL de minoxidil en solución al 5 % sobre el cuero cabelludo seco dos veces al día, por la mañana y "
       "por la noche, y extiéndalo con las yemas de los dedos. Lávese las manos después. Úselo todos los días: el "
       "pelo que vuelve a crecer puede caerse de nuevo si lo deja. ",
    de="Tragen Sie zweimal täglich, morgens und abends, 1 ml Minoxidil-Lösung 5 % auf die trockene Kopfhaut auf und "
       "verteilen Sie sie mit den Fingerspitzen. Waschen Sie sich danach die Hände. Wenden Sie es jeden Tag an: "
       "Nachgewachsenes Haar kann wieder ausfallen, wenn Sie aufhören. ",
) + MINOXIDIL_WARNING
MINOXIDIL = Text(
    en="Use minoxidil on the dry scalp every day as we showed you: men usually 1 mL of the 5% solution twice a day, "
       "women the 2% or 5% foam once or twice a day. Wash your hands afterwards. Hair that grows back can fall out "
       "again if you stop. ",
    tr="Minoksidili size gösterdiğimiz gibi her gün kuru saç derisine uygulayın: erkekler genellikle günde iki kez "
       "1 mL %5 solüsyon, kadınlar günde bir ya da iki kez %2 veya %5 köpük kullanır. Ardından ellerinizi yıkayın. "
       "Bırakırsanız yeniden çıkan saçlar tekrar dökülebilir. ",
    ar="استعملوا المينوكسيديل على فروة الرأس الجافة كل يوم كما أريناكم: الرجال عادةً 1 مل من المحلول 5% مرتين في "
       "اليوم، والنساء الرغوة 2% أو 5% مرة أو مرتين في اليوم. اغسلوا أيديكم بعد ذلك. الشعر الذي ينمو من جديد قد "
       "يتساقط مرة أخرى إذا توقفتم. ",
    es="Use minoxidil sobre el cuero cabelludo seco todos los días, como le enseñamos: los hombres, normalmente 1 mL "
       "de la solución al 5 % dos veces al día; las mujeres, la espuma al 2 % o al 5 % una o dos veces al día. "
       "Lávese las manos después. El pelo que vuelve a crecer puede caerse de nuevo si lo deja. ",
    de="Wenden Sie Minoxidil jeden Tag auf der trockenen Kopfhaut an, wie wir es Ihnen gezeigt haben: Männer meist "
       "zweimal täglich 1 ml der 5-%-Lösung, Frauen den 2-%- oder 5-%-Schaum ein- oder zweimal täglich. Waschen Sie "
       "sich danach die Hände. Nachgewachsenes Haar kann wieder ausfallen, wenn Sie aufhören. ",
) + MINOXIDIL_WARNING
MINOXIDIL_RESTART = Text(
    en="Do not put minoxidil on your scalp in the first weeks after the transplant. Start again only when your "
       "surgeon says so, usually 2 to 4 weeks after surgery, then use it every day as before. ",
    tr="Saç ekiminden sonraki ilk haftalarda saç derinize minoksidil sürmeyin. Ancak cerrahınız izin verdiğinde, "
       "genellikle ameliyattan 2 ila 4 hafta sonra, yeniden başlayın; sonra eskisi gibi her gün kullanın. ",
    ar="لا تضعوا المينوكسيديل على فروة رأسكم في الأسابيع الأولى بعد الزراعة. لا تعودوا إليه إلا عندما يسمح لكم "
       "الجراح بذلك، وعادةً بعد 2 إلى 4 أسابيع من العملية، ثم استعملوه كل يوم كما كنتم تفعلون من قبل. ",
    es="No se aplique minoxidil en el cuero cabelludo durante las primeras semanas después del trasplante. Vuelva a "
       "empezar solo cuando se lo diga su cirujano, normalmente de 2 a 4 semanas después de la operación, y luego "
       "úselo todos los días como antes. ",
    de="Tragen Sie in den ersten Wochen nach der Transplantation kein Minoxidil auf die Kopfhaut auf. Beginnen Sie "
       "erst wieder, wenn Ihr Chirurg es sagt, meist 2 bis 4 Wochen nach der Operation, und wenden Sie es dann wie "
       "zuvor jeden Tag an. ",
) + MINOXIDIL_WARNING
FINASTERIDE = Text(
    en="Take one 1 mg finasteride tablet once a day, with or without food. This medicine is for men only. A woman "
       "who is pregnant or may become pregnant must not touch crushed or broken tablets. Tell us if you notice "
       "changes in your mood, your sex drive or your breasts.",
    tr="Günde bir kez, aç ya da tok karnına, bir adet 1 mg finasterid tablet alın. Bu ilaç yalnızca erkekler "
       "içindir. Hamile olan ya da hamile kalabilecek bir kadın, ezilmiş ya da kırılmış tabletlere dokunmamalıdır. "
       "Ruh halinizde, cinsel isteğinizde ya da göğüslerinizde bir değişiklik fark ederseniz bize söyleyin.",
    ar="تناولوا قرصًا واحدًا من الفيناسترايد 1 ملغ مرة واحدة في اليوم، مع الطعام أو بدونه. هذا الدواء للرجال فقط. "
       "يجب ألا تلمس المرأة الحامل أو التي قد تحمل الأقراص المسحوقة أو المكسورة. أخبرونا إذا لاحظتم أي تغيّر في "
       "مزاجكم أو رغبتكم الجنسية أو في الثديين.",
    es="Tome un comprimido de finasterida de 1 mg una vez al día, con o sin comida. Este medicamento es solo para "
       "hombres. Una mujer que esté embarazada o pueda quedarse embarazada no debe tocar comprimidos triturados o "
       "rotos. Díganos si nota cambios en su estado de ánimo, en su deseo sexual o en el pecho.",
    de="Nehmen Sie einmal täglich eine Tablette Finasterid 1 mg ein, mit oder ohne Essen. Dieses Medikament ist nur "
       "für Männer. Eine Frau, die schwanger ist oder schwanger werden könnte, darf zerdrückte oder zerbrochene "
       "Tabletten nicht berühren. Sagen Sie uns Bescheid, wenn Sie Veränderungen Ihrer Stimmung, Ihrer sexuellen "
       "Lust oder Ihrer Brust bemerken.",
)
